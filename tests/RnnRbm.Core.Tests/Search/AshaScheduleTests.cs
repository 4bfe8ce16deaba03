using RnnRbm.Core.Search;

namespace RnnRbm.Core.Tests.Search;

public class AshaScheduleTests
{
    [Fact]
    public void NoTrialGoesOn_UntilARungHoldsReductionOfThem_ThenTheBestGoesOnOnce()
    {
        var asha = new AshaSchedule(rungs: 3, reduction: 3);
        asha.Report(0, 0, -5.0, ended: false);
        asha.Report(1, 0, -4.0, ended: false);
        Assert.Null(asha.NextPromotion()); // 2 of 3: the best third of 2 trials is none
        asha.Report(2, 0, -6.0, ended: false);
        Assert.Equal((1, 0), asha.NextPromotion());
        Assert.Null(asha.NextPromotion()); // trial 1 went on already; 3 trials make a top of one
        asha.Report(3, 0, -3.0, ended: false);
        asha.Report(4, 0, -7.0, ended: false);
        asha.Report(5, 0, -8.0, ended: false);
        Assert.Equal((3, 0), asha.NextPromotion()); // 6 trials: a top of two, trial 1 already went on
        Assert.Null(asha.NextPromotion());
    }

    [Fact]
    public void TheHighestRungIsServedFirst()
    {
        var asha = new AshaSchedule(rungs: 3, reduction: 2);
        asha.Report(0, 0, -5.0, ended: false);
        asha.Report(1, 0, -4.0, ended: false);
        Assert.Equal((1, 0), asha.NextPromotion());
        asha.Report(1, 1, -3.5, ended: false);
        asha.Report(2, 0, -4.5, ended: false);
        asha.Report(3, 0, -4.6, ended: false);
        asha.Report(0, 1, -3.9, ended: false); // as if it had gone on too
        // Rung 1 holds 2 (top 1: trial 1), rung 0 holds 4 (top 2: trials 1 and 2): rung 1 first.
        Assert.Equal((1, 1), asha.NextPromotion());
        Assert.Equal((2, 0), asha.NextPromotion());
    }

    [Fact]
    public void EndedAndUnmeasuredTrials_NeverGoOn()
    {
        var asha = new AshaSchedule(rungs: 2, reduction: 2);
        asha.Report(0, 0, -1.0, ended: true); // stopped early: the best, but it cannot continue
        asha.Report(1, 0, double.NaN, ended: false); // never validated
        Assert.Null(asha.NextPromotion());
        asha.Report(2, 0, -2.0, ended: false);
        asha.Report(3, 0, -3.0, ended: false);
        Assert.Equal((2, 0), asha.NextPromotion());
        asha.Report(2, 1, -1.5, ended: false); // the last rung ends a trial whatever it says
        Assert.Null(asha.NextPromotion());
    }

    [Fact]
    public void BadShapes_AreRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new AshaSchedule(0, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AshaSchedule(3, 1));
        var asha = new AshaSchedule(2, 2);
        Assert.Throws<ArgumentOutOfRangeException>(() => asha.Report(0, 2, -1, false));
    }
}
