// The browser tests, the locked-server test and the audio tests each start a whole service (SQLite, Hangfire, a
// trainer) and Chromium on a 2-core machine: run them one after the other, so that timings stay far from limits.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
