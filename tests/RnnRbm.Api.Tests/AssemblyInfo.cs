// Hangfire keeps process-wide state (JobStorage.Current, its log provider, the job activator): two app hosts
// alive at once in this process can hand a job to the other's container. Test classes therefore run one at a time;
// a test that restarts the service disposes one host before it starts the next.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
