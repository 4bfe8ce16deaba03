// Hangfire keeps process-wide state (JobStorage.Current, its job activator): two app hosts alive at once in this
// process can hand a job to the other's container. Test classes therefore run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
