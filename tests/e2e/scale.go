package e2e

// ScaleResult is one size's measurements, as E2E_SCALE_OUT records them.
type ScaleResult struct {
	Tenants int `json:"tenants"`
	// Resources are the resources in the state after the first up (the stack included).
	Resources int `json:"resources"`
	// StateBytes is the size of the stack's checkpoint file after the first up.
	StateBytes int64 `json:"stateBytes"`
	// StateBytesTotal is the size of every stack's checkpoint together.
	StateBytesTotal int64 `json:"stateBytesTotal"`
	// Shards is the number of stacks the tenants are split over (tenants.shard.count; 1: one
	// stack), Parallel how many of them ran at once.
	Shards   int `json:"shards"`
	Parallel int `json:"parallel"`
	// TenantsPerShard is the shape asked for (E2E_SCALE_TENANTS_PER_SHARD): 0 is one stack
	// whatever the size, n is as many stacks as n tenants per stack need.
	TenantsPerShard int `json:"tenantsPerShard,omitempty"`
	// Incomplete says the first up did not finish within E2E_SCALE_LIMIT; Resources then
	// counts what its state held when it was stopped.
	Incomplete bool       `json:"incomplete,omitempty"`
	Ops        []OpResult `json:"ops"`
	// CatalogBytes is the size of the tenants' live catalog after the first up: the data of
	// every catalog-tenants ConfigMap together; CatalogParts counts them and CatalogLargest
	// is the largest one (the API server refuses a ConfigMap over 1 MiB).
	CatalogBytes   int64 `json:"catalogBytes,omitempty"`
	CatalogParts   int   `json:"catalogParts,omitempty"`
	CatalogLargest int64 `json:"catalogLargest,omitempty"`
	// Machine is the CPU count and the load average when the size started.
	CPUs    int    `json:"cpus"`
	LoadAvg string `json:"loadAvg"`
	Note    string `json:"note,omitempty"`
	Date    string `json:"date"`
}

// OpResult is one operation: its wall time, the resource steps it took (created, updated,
// deleted, or for a preview every resource compared) and what each process used.
type OpResult struct {
	Op      string  `json:"op"`
	Seconds float64 `json:"seconds"`
	Steps   int     `json:"steps"`
	// PerSecond is Steps / Seconds.
	PerSecond float64 `json:"perSecond"`
	// PeakRSS (bytes) and CPU (seconds) by process: "cli" (the pulumi CLI, the engine),
	// "provider" (pulumi-resource-kubernetes), "program" (the stack program: the Automation
	// API runs it inline, in the test process), "apiserver" and "etcd".
	PeakRSS map[string]int64   `json:"peakRss"`
	CPU     map[string]float64 `json:"cpu"`
}

// record adds op, which took steps resource steps, to the result and returns it completed.
func (r *ScaleResult) record(op OpResult, steps int) OpResult {
	op.Steps = steps
	op.PerSecond = float64(steps) / op.Seconds
	r.Ops = append(r.Ops, op)
	return op
}
