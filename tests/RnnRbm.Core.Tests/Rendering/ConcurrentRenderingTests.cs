using RnnRbm.Core.PianoRolls;
using RnnRbm.Core.Rendering;

namespace RnnRbm.Core.Tests.Rendering;

public sealed class ConcurrentRenderingTests
{
    [Fact]
    public void FourThreads_RenderingAtOnce_ProduceTheSameImagesAsOneThread()
    {
        var roll = new PianoRoll(300, PitchRange.Piano);
        for (int t = 0; t < roll.Steps; t++)
        {
            roll[t, 40 + t % 40] = true;
        }
        List<CurvePoint> curve = Enumerable.Range(1, 50).Select(e => new CurvePoint(e, 1.0 / e)).ToList();
        List<(string, double)> bars = Enumerable.Range(0, 12).Select(i => ($"p{i}", (double)i)).ToList();

        byte[][] RenderAll() =>
        [
            PianoRollImage.RenderPng(roll, TimeGrid.SeedDefault),
            TrainingCurveImage.RenderPng(curve, curve, "curve", "cost"),
            BarChartImage.RenderPng(bars, "bars", "pitch class", "count"),
        ];

        byte[][] expected = RenderAll();
        const int Threads = 4;
        var results = new byte[Threads][][];
        var failures = new System.Collections.Concurrent.ConcurrentBag<Exception>();
        using var start = new Barrier(Threads);
        Thread[] threads = Enumerable.Range(0, Threads).Select(i => new Thread(() =>
        {
            try
            {
                start.SignalAndWait();
                // Twice per thread, so renders overlap beyond the first one's warm-up.
                results[i] = RenderAll();
                results[i] = RenderAll();
            }
            catch (Exception e)
            {
                failures.Add(e);
            }
        })).ToArray();
        foreach (Thread thread in threads)
        {
            thread.Start();
        }
        foreach (Thread thread in threads)
        {
            thread.Join();
        }

        Assert.Empty(failures);
        foreach (byte[][] result in results)
        {
            for (int k = 0; k < expected.Length; k++)
            {
                using Png a = Png.Decode(expected[k]);
                using Png b = Png.Decode(result[k]);
                Assert.Equal(0, a.CountDifferent(b, 0, 0, a.Width, a.Height));
            }
        }
    }
}
