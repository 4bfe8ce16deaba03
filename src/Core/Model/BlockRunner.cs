namespace RnnRbm.Core.Model;

/// <summary>
/// Runs block 1 of a chunk on one long-lived worker thread while the caller runs block 0, then waits:
/// the second core works on the same update without a task or delegate allocated per call.
/// </summary>
internal sealed class BlockRunner : IDisposable
{
    private readonly Action<int> _body;
    private readonly Thread _thread;
    private readonly ManualResetEventSlim _go = new(false);
    private readonly ManualResetEventSlim _done = new(false);
    private volatile bool _stopping;
    private Exception? _error;

    public BlockRunner(Action<int> body)
    {
        _body = body;
        _thread = new Thread(Loop) { IsBackground = true, Name = "rnnrbm-gibbs-block-1" };
        _thread.Start();
    }

    /// <summary>Runs body(0) here and body(1) on the worker; rethrows the first failure of either.</summary>
    public void Run()
    {
        _done.Reset();
        _error = null;
        _go.Set();
        try
        {
            _body(0);
        }
        finally
        {
            _done.Wait();
        }
        if (_error is not null)
        {
            throw new InvalidOperationException("A Gibbs block failed on the worker thread.", _error);
        }
    }

    private void Loop()
    {
        while (true)
        {
            _go.Wait();
            _go.Reset();
            if (_stopping)
            {
                return;
            }
            try
            {
                _body(1);
            }
#pragma warning disable CA1031 // The failure is handed to the caller's thread and rethrown there.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                _error = ex;
            }
            _done.Set();
        }
    }

    public void Dispose()
    {
        _stopping = true;
        _go.Set();
        _thread.Join();
        _go.Dispose();
        _done.Dispose();
    }
}
