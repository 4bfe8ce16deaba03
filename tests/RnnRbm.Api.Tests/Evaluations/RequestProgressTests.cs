using Microsoft.AspNetCore.Http;
using RnnRbm.Api.Progress;

namespace RnnRbm.Api.Tests.Evaluations;

public class RequestProgressTests
{
    private sealed class Clock : TimeProvider
    {
        public long Ticks { get; set; } = 1;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Ticks;

        public void Advance(double seconds) => Ticks += (long)(seconds * TimeSpan.TicksPerSecond);
    }

    private static HttpRequest WithId(Guid? id)
    {
        var context = new DefaultHttpContext();
        if (id is Guid g)
        {
            context.Request.Headers[RequestProgress.Header] = g.ToString();
        }
        return context.Request;
    }

    [Fact]
    public void Progress_NeverGoesBack_SaysTimeLeftFromTwoPercent_AndEndsFinished()
    {
        var clock = new Clock();
        var board = new RequestProgress(clock);
        Guid id = Guid.NewGuid();
        using (RequestProgress.Tracker tracker = board.Start(WithId(id), "generation")!)
        {
            clock.Advance(1);
            tracker.Report(0.01);
            Assert.Null(board.Get(id)!.SecondsLeft); // under 2 %: too early to say
            clock.Advance(1);
            tracker.Report(0.25);
            RequestProgressResponse quarter = board.Get(id)!;
            Assert.Equal(0.25, quarter.Fraction);
            Assert.Equal(2, quarter.ElapsedSeconds, 9);
            // A slow first second (1 %), then 24 % in the next: the rest at the recent speed, 0.75 / 0.24 per second.
            Assert.Equal(0.75 / 0.24, quarter.SecondsLeft!.Value, 9);
            // Nothing reported for a while: the recent window stretches, the estimate grows.
            clock.Advance(3);
            Assert.Equal(0.75 / (0.24 / 4), board.Get(id)!.SecondsLeft!.Value, 9);
            tracker.Report(0.1); // a late report from another thread
            Assert.Equal(0.25, board.Get(id)!.Fraction);
            Assert.False(board.Get(id)!.Finished);
        }
        RequestProgressResponse done = board.Get(id)!;
        Assert.True(done.Finished);
        Assert.Equal(1, done.Fraction);
        Assert.Null(done.SecondsLeft);

        // A minute after it ended, the next request's start sweeps it away.
        clock.Advance(61);
        using (board.Start(WithId(Guid.NewGuid()), "score"))
        {
            Assert.Null(board.Get(id));
        }
    }

    [Fact]
    public void Start_WithoutAValidId_TracksNothing()
    {
        var board = new RequestProgress();
        Assert.Null(board.Start(WithId(null), "generation"));
        Assert.Null(board.Start(WithId(Guid.Empty), "generation"));
        var context = new DefaultHttpContext();
        context.Request.Headers[RequestProgress.Header] = "not-a-guid";
        Assert.Null(board.Start(context.Request, "generation"));
    }
}
