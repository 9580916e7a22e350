//go:build js && wasm

package main

import (
	"errors"

	"github.com/syumai/workers/cloudflare/kv"
)

// linksBinding is the KV namespace that keeps short links (wrangler.toml).
const linksBinding = "LINKS"

var errNoKV = errors.New("no KV namespace is bound as " + linksBinding)

// kvLinks is a server.LinkStore in Workers KV. The namespace is looked up
// on every call: bindings belong to the request's environment, and a
// deployment without one answers, politely, that it keeps no links.
type kvLinks struct{}

func (kvLinks) namespace() (*kv.Namespace, error) {
	ns, err := kv.NewNamespace(linksBinding)
	if err != nil {
		return nil, errNoKV
	}
	return ns, nil
}

func (l kvLinks) Ready() error {
	_, err := l.namespace()
	return err
}

func (l kvLinks) Get(key string) (string, bool, error) {
	ns, err := l.namespace()
	if err != nil {
		return "", false, err
	}
	v, err := ns.GetString(key, nil)
	// KV answers null for a key it does not hold, which GetString turns
	// into the text "<null>": no stored link looks like that (they start
	// with "run=").
	if err != nil || v == "<null>" {
		return "", false, err
	}
	return v, true, nil
}

func (l kvLinks) Put(key, value string) error {
	ns, err := l.namespace()
	if err != nil {
		return err
	}
	return ns.PutString(key, value, nil)
}
