using RnnRbm.Core.Evaluation;

namespace RnnRbm.Core.Training;

/// <summary>
/// How <see cref="TrainingLoop"/> watches the validation log-likelihood: how often and how exactly it measures it,
/// when it stops, which epoch it keeps, and when it rolls back a diverging run.
/// </summary>
/// <remarks>
/// The log-likelihood is measured on a fixed, seeded subset of the validation sequences (whole sequences, so every
/// step sees its full history as at evaluation) by the evaluator, with a convergence check either way: by default the
/// bracket estimator, whose check doubles its chains and samples and must move the mean by less than
/// <see cref="ConvergenceTolerance"/>; or AIS's converged search, whose schedule doubles per step until doubling moves
/// the mean by less than the tolerance (or reaches <see cref="MaxAisSteps"/>). On sharp models (Nottingham's) the
/// bracket costs a tenth of the converged AIS search and agrees with it within 0.01 nats (docs/evaluation.md).
/// </remarks>
public sealed record EarlyStoppingOptions
{
    /// <summary>Share of training time that validation may take when <see cref="ValidateEvery"/> is automatic.</summary>
    public const double AutomaticBudget = 0.2;

    /// <summary>Measure the validation log-likelihood at all (false: the curve shows the monitor only and the last epoch is kept).</summary>
    public bool Validate { get; init; } = true;

    /// <summary>Epochs between validations; 0 = automatic: as often as keeps validation near <see cref="AutomaticBudget"/> of the time.</summary>
    public int ValidateEvery { get; init; }

    /// <summary>Stop when this many epochs pass without a better validation log-likelihood; 0 = never stop early.</summary>
    public int Patience { get; init; } = 30;

    /// <summary>
    /// A plateau: when this many epochs pass without a better validation log-likelihood (counted from the best epoch or
    /// the last cut, whichever is later), the parameters go back to the best epoch, the momentum is forgotten and the
    /// learning rate halves, so a run whose rate was too high for its later epochs (the models sharpen and CD's
    /// gradient gets noisier) continues from its best point more carefully instead of drifting down until the patience
    /// ends. 0 = never. Below <see cref="Patience"/> to matter.
    /// </summary>
    public int PlateauEpochs { get; init; }

    /// <summary>The model keeps the best validated epoch (true) or the last one (false, the seed).</summary>
    public bool KeepBest { get; init; } = true;

    /// <summary>
    /// A validation log-likelihood this many nats per step below the best one counts as divergence: the parameters roll
    /// back to the best epoch and the learning rate halves. A non-finite gradient, parameter or estimate always does.
    /// </summary>
    public double DivergenceDrop { get; init; } = 1.0;

    /// <summary>Roll-backs allowed; one more stops the training (keeping the best epoch).</summary>
    public int MaxRollbacks { get; init; } = 3;

    /// <summary>How the validation log-likelihood is estimated: the bracket (default) or AIS's converged search.</summary>
    public LikelihoodEstimator Estimator { get; init; } = LikelihoodEstimator.Bracket;

    /// <summary>Steps of validation data measured (whole sequences in a seeded order until at least this many).</summary>
    public int ValidationSteps { get; init; } = 3000;

    /// <summary>
    /// Measure <see cref="ValidationSteps"/> steps drawn (seeded, the same every validation) from every validation
    /// sequence, each conditioned on its whole history, instead of whole sequences (<see cref="EvaluationOptions.MeasuredSteps"/>):
    /// the reading covers the whole split, and its cost is that of the steps measured however long the pieces are (10
    /// of Piano-midi.de's pieces are 7,400 steps). Not the default yet: it changes the readings every decision is made on,
    /// and training runs with it have not been compared seed by seed (docs/results.md).
    /// </summary>
    public bool SampleSteps { get; init; }

    /// <summary>AIS runs per step of the validation estimate (with <see cref="LikelihoodEstimator.Ais"/>).</summary>
    public int AisRuns { get; init; } = 4;

    /// <summary>AIS transitions the search starts from (K; it runs at least K and 2K).</summary>
    public int AisSteps { get; init; } = 100;

    /// <summary>Largest K the doubling may reach.</summary>
    public int MaxAisSteps { get; init; } = 6400;

    /// <summary>
    /// With the bracket estimator, every how many validations the doubling check runs (the first validation always has
    /// it); in between, a validation runs the first pass only and adds the last check's move (<see cref="TrainingLoop"/>).
    /// The check is about two thirds of a checked validation's time and its move changes slowly as the model sharpens;
    /// checking every fourth validation roughly halved validation's time on Nottingham (docs/results.md, "The default
    /// recipe of 2026-12-07 (evening)"). 1 = check every validation.
    /// </summary>
    public int CheckEvery { get; init; } = 4;

    /// <summary>
    /// The bracket's chains C at the first validation, and the most it uses (its samples M and importance samples S
    /// follow C, <see cref="BracketOptions.Scaled"/>; the check doubles all three): the evaluator's default.
    /// </summary>
    public const int MostBracketChains = BracketOptions.DefaultChains;

    /// <summary>The fewest chains the validation's bracket goes down to (<see cref="CheapCheckShare"/>).</summary>
    public const int FewestBracketChains = 25;

    /// <summary>
    /// A check that moved the estimate by less than this share of <see cref="ConvergenceTolerance"/> halves the chains of
    /// the next check (and of the readings after it, down to <see cref="FewestBracketChains"/>); one that moved it by more
    /// than the tolerance doubles them (up to <see cref="MostBracketChains"/>). A smooth model (Piano-midi.de's) reads
    /// the same at C 50 as at C 200 (docs/results.md, "What is left"), so it pays for chains it does not need; a sharp
    /// one (Nottingham's) keeps C 100. The readings between two checks use the chains of the last check, whose move
    /// they add, so they stay on its scale.
    /// </summary>
    public const double CheapCheckShare = 0.05;

    /// <summary>
    /// The validation subset has at least this many sequences when the split has them (<see cref="ValidationSteps"/>
    /// is reached first with long pieces: 4 of Piano-midi.de's, whose reading differed from the whole split's by 0.6
    /// nats), unless that would make it longer than <see cref="MostSubsetShare"/> × <see cref="ValidationSteps"/> steps.
    /// </summary>
    public const int FewestValidationSequences = 10;

    /// <summary>The subset grows towards <see cref="FewestValidationSequences"/> only while it is shorter than this many times <see cref="ValidationSteps"/>.</summary>
    public const int MostSubsetShare = 4;

    /// <summary>Nats per step by which doubling K may move the estimate for it to count as converged.</summary>
    public double ConvergenceTolerance { get; init; } = 0.01;

    /// <summary>Seed of the subset and of the AIS random streams (the same every validation).</summary>
    public ulong Seed { get; init; } = 1234;

    /// <summary>The seed tutorial's behaviour: every epoch runs, the last is kept; the validation log-likelihood is still shown.</summary>
    public static EarlyStoppingOptions SeedRecipe { get; } = new() { Patience = 0, KeepBest = false };

    /// <summary>Bounds of every field; <see cref="Problems"/> enforces them.</summary>
    public static class Limits
    {
        public const int MaxValidateEvery = 10_000;
        public const int MaxPatience = 100_000;
        public const int MaxPlateauEpochs = 100_000;
        public const double MaxDivergenceDrop = 1_000;
        public const int MaxRollbacksAllowed = 100;
        public const int MinValidationSteps = 10;
        public const int MaxValidationSteps = 1_000_000;
        public const int MaxAisRuns = 1_000;
        public const int MinAisSteps = 10;
        public const int MaxAisStepsAllowed = 100_000;
        public const int MaxCheckEvery = 1_000;
    }

    /// <summary>Every problem with these options, one sentence each; empty when they are valid.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (ValidateEvery < 0 || ValidateEvery > Limits.MaxValidateEvery)
        {
            problems.Add($"validateEvery must be 0 (automatic) or lie in [1, {Limits.MaxValidateEvery}]; got {ValidateEvery}.");
        }
        if (Patience < 0 || Patience > Limits.MaxPatience)
        {
            problems.Add($"patience must be 0 (never stop early) or lie in [1, {Limits.MaxPatience}]; got {Patience}.");
        }
        if (PlateauEpochs < 0 || PlateauEpochs > Limits.MaxPlateauEpochs)
        {
            problems.Add($"plateauEpochs must be 0 (never) or lie in [1, {Limits.MaxPlateauEpochs}]; got {PlateauEpochs}.");
        }
        if (!double.IsFinite(DivergenceDrop) || DivergenceDrop <= 0 || DivergenceDrop > Limits.MaxDivergenceDrop)
        {
            problems.Add($"divergenceDrop must lie in (0, {Limits.MaxDivergenceDrop}] nats; got {DivergenceDrop}.");
        }
        if (MaxRollbacks < 0 || MaxRollbacks > Limits.MaxRollbacksAllowed)
        {
            problems.Add($"maxRollbacks must lie in [0, {Limits.MaxRollbacksAllowed}]; got {MaxRollbacks}.");
        }
        if (ValidationSteps < Limits.MinValidationSteps || ValidationSteps > Limits.MaxValidationSteps)
        {
            problems.Add($"validationSteps must lie in [{Limits.MinValidationSteps}, {Limits.MaxValidationSteps}]; got {ValidationSteps}.");
        }
        if (AisRuns < 1 || AisRuns > Limits.MaxAisRuns)
        {
            problems.Add($"validation AIS runs must lie in [1, {Limits.MaxAisRuns}]; got {AisRuns}.");
        }
        if (AisSteps < Limits.MinAisSteps || AisSteps > Limits.MaxAisStepsAllowed)
        {
            problems.Add($"validation AIS steps must lie in [{Limits.MinAisSteps}, {Limits.MaxAisStepsAllowed}]; got {AisSteps}.");
        }
        if (MaxAisSteps < AisSteps || MaxAisSteps > Limits.MaxAisStepsAllowed)
        {
            problems.Add($"the largest validation AIS steps must lie in [{AisSteps}, {Limits.MaxAisStepsAllowed}]; got {MaxAisSteps}.");
        }
        if (SampleSteps && Estimator != LikelihoodEstimator.Bracket)
        {
            problems.Add("Sampling the validation's steps needs the bracket estimator; AIS measures whole sequences.");
        }
        if (CheckEvery < 1 || CheckEvery > Limits.MaxCheckEvery)
        {
            problems.Add($"checkEvery must lie in [1, {Limits.MaxCheckEvery}]; got {CheckEvery}.");
        }
        if (!double.IsFinite(ConvergenceTolerance) || ConvergenceTolerance <= 0 || ConvergenceTolerance > 1)
        {
            problems.Add($"the convergence tolerance must lie in (0, 1] nats; got {ConvergenceTolerance}.");
        }
        return problems;
    }

    /// <summary>Throws <see cref="ArgumentException"/> listing every problem, if any.</summary>
    public void ThrowIfInvalid()
    {
        IReadOnlyList<string> problems = Problems();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems));
        }
    }
}
