namespace RnnRbm.Core.Search;

/// <summary>
/// Asynchronous successive halving (ASHA; Li et al., "A System for Massively Parallel Hyperparameter Tuning", 2020):
/// trials report their validation log-likelihood at each rung (a number of epochs); whenever a worker is free it
/// continues a trial that is among the best 1/η of the trials that reached its rung and has not gone on yet, looking at
/// the highest rung first, and otherwise starts a new trial. No worker ever waits for a rung to fill, so any number of
/// workers stays busy, and poor trials stop at the first rung.
/// </summary>
/// <remarks>Not thread-safe: the caller holds one lock around it.</remarks>
public sealed class AshaSchedule
{
    private readonly int _reduction;
    private readonly List<Dictionary<int, double>> _scores;
    private readonly List<HashSet<int>> _promoted;
    private readonly HashSet<int> _ended = [];

    /// <param name="rungs">Number of rungs (the last one is a trial's end).</param>
    /// <param name="reduction">η: the best 1/η of a rung go on.</param>
    public AshaSchedule(int rungs, int reduction)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rungs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(reduction, 2);
        _reduction = reduction;
        _scores = [.. Enumerable.Range(0, rungs).Select(_ => new Dictionary<int, double>())];
        _promoted = [.. Enumerable.Range(0, rungs).Select(_ => new HashSet<int>())];
    }

    /// <summary>Rungs, the last one included.</summary>
    public int Rungs => _scores.Count;

    /// <summary>
    /// Trial <paramref name="trial"/> reached <paramref name="rung"/> with validation log-likelihood
    /// <paramref name="score"/> (higher is better; −∞ when none was measured). With <paramref name="ended"/> it cannot
    /// go on (it stopped early, diverged, or reached the last rung) and is never chosen to continue.
    /// </summary>
    public void Report(int trial, int rung, double score, bool ended)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rung);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(rung, Rungs);
        _scores[rung][trial] = double.IsNaN(score) ? double.NegativeInfinity : score;
        if (ended || rung == Rungs - 1)
        {
            _ended.Add(trial);
        }
    }

    /// <summary>
    /// Trial <paramref name="trial"/> already went on from <paramref name="rung"/>: for a schedule rebuilt from stored
    /// state (the service keeps its trials in the database), so that it is never chosen from that rung again.
    /// </summary>
    public void Promoted(int trial, int rung)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rung);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(rung, Rungs);
        _promoted[rung].Add(trial);
    }

    /// <summary>
    /// A trial to continue to the next rung, with the rung it continues from (and marks it so); null when none qualifies
    /// and a new trial should start.
    /// </summary>
    public (int Trial, int FromRung)? NextPromotion()
    {
        for (int rung = Rungs - 2; rung >= 0; rung--)
        {
            Dictionary<int, double> reached = _scores[rung];
            int top = reached.Count / _reduction;
            if (top == 0)
            {
                continue;
            }
            foreach (KeyValuePair<int, double> candidate in reached.OrderByDescending(s => s.Value).ThenBy(s => s.Key).Take(top))
            {
                if (double.IsNegativeInfinity(candidate.Value) || _ended.Contains(candidate.Key) || _promoted[rung].Contains(candidate.Key))
                {
                    continue;
                }
                _promoted[rung].Add(candidate.Key);
                return (candidate.Key, rung);
            }
        }
        return null;
    }
}
