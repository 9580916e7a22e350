//go:build race

package sim_test

// Under the race detector the campaign looks for data races, not protocol
// bugs (the plain run covers those with 510 seeds), and runs ten times
// slower: a sample of seeds is enough.
func init() { defaultCampaignSeeds = 60 }
