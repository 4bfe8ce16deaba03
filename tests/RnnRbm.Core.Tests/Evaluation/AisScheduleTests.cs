using RnnRbm.Core.Evaluation;

namespace RnnRbm.Core.Tests.Evaluation;

public class AisScheduleTests
{
    [Fact]
    public void Paper_IsSalakhutdinovAndMurrays_14500()
    {
        AisSchedule paper = AisSchedule.Paper;
        Assert.Equal(14_500, paper.Transitions);
        Assert.Equal(0, paper.Betas[0]);
        Assert.Equal(0.5, paper.Betas[500], 12);
        Assert.Equal(0.9, paper.Betas[4500], 12);
        Assert.Equal(1, paper.Betas[^1]);
        Assert.Equal(paper.Betas, AisSchedule.SalakhutdinovMurray(14_500).Betas);
    }

    [Theory]
    [InlineData("sm", 3)]
    [InlineData("sm", 1450)]
    [InlineData("linear", 1)]
    [InlineData("linear", 777)]
    public void Schedules_RiseFromZeroToOne(string kind, int transitions)
    {
        AisSchedule s = AisSchedule.Create(kind, transitions);
        Assert.Equal(transitions, s.Transitions);
        Assert.Equal(0, s.Betas[0]);
        Assert.Equal(1, s.Betas[^1]);
        for (int k = 1; k < s.Betas.Count; k++)
        {
            Assert.True(s.Betas[k] > s.Betas[k - 1]);
        }
    }

    [Fact]
    public void BadSchedules_AreRefused()
    {
        Assert.Throws<ArgumentException>(() => AisSchedule.Create("cosine", 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => AisSchedule.Linear(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => AisSchedule.SalakhutdinovMurray(2));
        Assert.Throws<ArgumentException>(() => AisSchedule.Segments([(0.5, 10), (0.4, 10), (1, 5)]));
    }
}
