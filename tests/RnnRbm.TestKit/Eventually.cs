using System.Diagnostics;

namespace RnnRbm.TestKit;

/// <summary>
/// Polls until a condition holds, or fails the test saying where things stood. The deadline only bounds a hang: it
/// is never what a test asserts, so make it generous.
/// </summary>
public static class Eventually
{
    public static async Task<T> WaitForAsync<T>(Func<Task<T>> read, Func<T, bool> done, double timeoutSeconds, Func<T, string> describe,
        int pollMilliseconds = 50)
    {
        var clock = Stopwatch.StartNew();
        T value = await read();
        while (!done(value))
        {
            if (clock.Elapsed.TotalSeconds > timeoutSeconds)
            {
                Assert.Fail($"{describe(value)} (not there within {timeoutSeconds} s).");
            }
            await Task.Delay(pollMilliseconds);
            value = await read();
        }
        return value;
    }
}
