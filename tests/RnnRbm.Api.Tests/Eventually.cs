using System.Diagnostics;

namespace RnnRbm.Api.Tests;

/// <summary>Polls until a condition holds, or fails the test saying where things stood.</summary>
internal static class Eventually
{
    public static async Task<T> WaitForAsync<T>(Func<Task<T>> read, Func<T, bool> done, double timeoutSeconds, Func<T, string> describe)
    {
        var clock = Stopwatch.StartNew();
        T value = await read();
        while (!done(value))
        {
            if (clock.Elapsed.TotalSeconds > timeoutSeconds)
            {
                Assert.Fail($"{describe(value)} (after {timeoutSeconds} s).");
            }
            await Task.Delay(50);
            value = await read();
        }
        return value;
    }
}
