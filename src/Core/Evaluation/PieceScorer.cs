using RnnRbm.Core.Limits;
using RnnRbm.Core.Model;
using RnnRbm.Core.Numerics;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Core.Evaluation;

/// <summary>
/// The bounds of scoring one piece (<c>POST /api/models/{id}/score</c>, <c>rnnrbm score</c>, the model page's form),
/// declared once: the request is answered while the client waits, so the piece's length and the AIS search are capped
/// here (docs/evaluation.md, "Score a piece").
/// </summary>
public static class ScoreLimits
{
    /// <summary>
    /// Longest piece scored, in steps of the model's grid: 1,000 steps (8 minutes of music at two steps per quarter note
    /// and 120 bpm). Measured on the bundled default model: 300 steps in about 3 s (docs/evaluation.md).
    /// </summary>
    public const int MaxSteps = 1000;

    /// <summary>The converged search stops (and says it has not converged) rather than go beyond this K, so that the answer stays within a minute.</summary>
    public const int MaxTransitions = 3200;

    /// <summary>Seed of every random choice (AIS and the prediction chains); the same piece and seed give the same figures.</summary>
    public static FieldLimit Seed { get; } = FieldLimit.Whole("seed", 0, EvaluationLimits.MaxSeed, 1234);

    /// <summary>Every numeric field of a score request.</summary>
    public static IReadOnlyList<FieldLimit> All { get; } = [Seed];

    /// <summary>
    /// How a piece is measured: the evaluation's converged search (<see cref="EvaluationOptions.Converged"/>: 10 AIS runs
    /// per step, sm K doubled per step from 100 until the mean moves by less than 0.01 nats) capped at
    /// <see cref="MaxTransitions"/>, and the evaluation's accuracy chains.
    /// </summary>
    public static EvaluationOptions Options(ulong seed) => EvaluationOptions.Converged with
    {
        AisConvergence = EvaluationOptions.Converged.AisConvergence! with { MaxTransitions = MaxTransitions },
        Seed = seed,
        Threads = 0,
    };
}

/// <summary>What <see cref="PieceScorer.Score"/> found. Log-likelihoods and surprises are in nats.</summary>
/// <param name="Steps">Steps of the piece (on the model's grid).</param>
/// <param name="LogLikelihood">(1/T) Σ_t log P(v_t | v_&lt;t): the evaluation's figure for this piece alone.</param>
/// <param name="StandardError">Its AIS standard error.</param>
/// <param name="AisConverged">Whether the last doubling of the AIS schedule moved the mean by less than the tolerance.</param>
/// <param name="AisShift">The last doubling's move, nats per step.</param>
/// <param name="AisSchedule">The schedule reached, in words.</param>
/// <param name="AisTransitions">The largest K any step reached.</param>
/// <param name="Surprise">−log P(v_t | v_&lt;t) of each step t: how surprising the step is to the model given the piece so far.</param>
/// <param name="SurpriseStandardError">The AIS standard error of each entry of <paramref name="Surprise"/> (that of its log Ẑ_t).</param>
/// <param name="Accuracy">Expected frame-level accuracy of the model's next-step predictions given the true history.</param>
/// <param name="BaselineAccuracy">The previous-frame predictor's frame-level accuracy on the piece.</param>
/// <param name="BaselineLogLikelihood">Mean log-likelihood per step under independent per-pitch Bernoullis fitted on the training split; null without one.</param>
/// <param name="BaselineSurprise">−log of each step under those Bernoullis; null without a training split.</param>
/// <param name="Seconds">Wall time.</param>
public sealed record PieceScore(
    int Steps, double LogLikelihood, double StandardError, bool? AisConverged, double? AisShift, string AisSchedule, int AisTransitions,
    IReadOnlyList<double> Surprise, IReadOnlyList<double> SurpriseStandardError, double? Accuracy, double? BaselineAccuracy,
    double? BaselineLogLikelihood, IReadOnlyList<double>? BaselineSurprise, double Seconds);

/// <summary>
/// How typical one piece is of what a model learned (issue 16, item 6): the evaluation's measures
/// (<see cref="RnnRbmEvaluator"/>: log P(v_t | v_&lt;t) = −F_t(v_t) − log Z_t with log Z_t by the converged AIS search,
/// the expected accuracy) on the piece alone, each step's surprise −log P(v_t | v_&lt;t), and the evaluation's floors
/// (<see cref="Baselines"/>) beside them.
/// </summary>
public static class PieceScorer
{
    /// <summary>Scores <paramref name="piece"/> (over the model's pitches, 1 to <see cref="ScoreLimits.MaxSteps"/> steps).</summary>
    /// <param name="parameters">The model's weights.</param>
    /// <param name="piece">The piece on the model's grid and range.</param>
    /// <param name="baselineProbabilities">P(pitch on) of the per-pitch floor fitted on the training split (<see cref="Baselines.FitIndependentBernoullis"/>); null: no such floor.</param>
    /// <param name="seed">Seed of every random choice.</param>
    /// <param name="backend">Where the products run.</param>
    /// <param name="progress">The share done, in [0, 1], never decreasing; from a worker thread.</param>
    /// <param name="cancellation">Stops within one AIS transition or Gibbs step.</param>
    /// <exception cref="ArgumentException">An empty or too long piece, or one over another number of pitches.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static PieceScore Score(RnnRbmParameters parameters, PianoRoll piece, IReadOnlyList<double>? baselineProbabilities, ulong seed,
        NumericsBackend backend, Action<double>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(piece);
        if (piece.Steps < 1 || piece.Steps > ScoreLimits.MaxSteps)
        {
            throw new ArgumentException($"A piece to score has 1 to {ScoreLimits.MaxSteps} steps; this one has {piece.Steps}.", nameof(piece));
        }
        var monotone = new MonotoneProgress(progress);
        EvaluationResult r = new RnnRbmEvaluator(parameters, backend).Evaluate([piece], ScoreLimits.Options(seed), monotone.Report, cancellation);
        double[] surprise = [.. r.StepLogLikelihoods.Select(l => -l)];
        double[]? baseline = baselineProbabilities is null ? null : Baselines.IndependentBernoulliStepLogLikelihoods(baselineProbabilities, piece);
        progress?.Invoke(1);
        return new PieceScore(
            piece.Steps, r.LogLikelihood!.Value, r.StandardError!.Value, r.AisConverged, r.AisShift, r.AisSchedule, r.AisTransitions,
            surprise, r.StepStandardErrors, r.Accuracy, r.BaselineAccuracy,
            baseline?.Average(), baseline is null ? null : [.. baseline.Select(l => -l)], r.Seconds);
    }

    /// <summary>
    /// The evaluation's phases as one share: the base chains the first 5 %, the accuracy chains the next 5 %, AIS the
    /// rest (it is nearly all of the time); reported only when it grows, so a client never sees it go back.
    /// </summary>
    private sealed class MonotoneProgress(Action<double>? report)
    {
        private double _shown;

        public void Report(EvaluationProgress p)
        {
            if (report is null || p.Total == 0)
            {
                return;
            }
            double within = (double)p.Done / p.Total;
            double share = p.Phase switch
            {
                "base" => 0.05 * within,
                "accuracy" => 0.05 + (0.05 * within),
                _ => 0.10 + (0.90 * within),
            };
            if (share > _shown)
            {
                _shown = Math.Min(share, 1);
                report(_shown);
            }
        }
    }
}

/// <summary>A piece's score in one plain sentence (the model page, the CLI and the API's <c>summary</c> say the same).</summary>
public static class ScoreWords
{
    /// <summary>
    /// Within this many nats per step of the corpus's figure a piece is "about as typical" as the corpus's music: a tenth
    /// of a nat per step is a factor of e^0.1 ≈ 1.1 per step, well inside how much one tune differs from another.
    /// </summary>
    public const double TypicalBand = 0.1;

    /// <summary>
    /// "The model finds this piece less likely (−4.12 nats per step) than the music of its corpus's test split
    /// (−3.54): less typical of what it learned. …"; <paramref name="corpusSplit"/> and <paramref name="corpusLogLikelihood"/>
    /// are the newest evaluation's, when there is one.
    /// </summary>
    public static string Describe(PieceScore score, string? corpusSplit, double? corpusLogLikelihood)
    {
        ArgumentNullException.ThrowIfNull(score);
        var c = System.Globalization.CultureInfo.InvariantCulture;
        string ll = score.LogLikelihood.ToString("0.000", c);
        var parts = new List<string>();
        if (corpusLogLikelihood is double corpus && corpusSplit is not null)
        {
            double difference = score.LogLikelihood - corpus;
            string where = Math.Abs(difference) <= TypicalBand
                ? "about as likely as"
                : difference > 0 ? "more likely than" : "less likely than";
            string verdict = Math.Abs(difference) <= TypicalBand
                ? "typical of what it learned"
                : difference > 0 ? "more typical of what it learned than the average step of that music" : "less typical of what it learned than the average step of that music";
            parts.Add($"The model finds this piece {where} the {corpusSplit} music of its corpus ({ll} against {corpus.ToString("0.000", c)} nats per step): {verdict}.");
        }
        else
        {
            parts.Add($"The model gives this piece {ll} nats per step (no evaluation of the model to compare with: evaluate it on its corpus to see how typical that is).");
        }
        if (score.BaselineLogLikelihood is double floor)
        {
            parts.Add(score.LogLikelihood > floor
                ? $"It finds it more likely than notes drawn independently do ({floor.ToString("0.000", c)})."
                : $"It finds it no more likely than notes drawn independently do ({floor.ToString("0.000", c)}): the model has not learned this kind of music.");
        }
        if (score.Surprise.Count > 0)
        {
            int peak = 0;
            for (int t = 1; t < score.Surprise.Count; t++)
            {
                peak = score.Surprise[t] > score.Surprise[peak] ? t : peak;
            }
            parts.Add($"The most surprising step is step {peak + 1} ({score.Surprise[peak].ToString("0.0", c)} nats).");
        }
        if (score.AisConverged == false)
        {
            parts.Add("The estimate has not converged within the score's AIS budget, so these figures read too high.");
        }
        return string.Join(" ", parts);
    }
}
