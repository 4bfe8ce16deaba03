using RnnRbm.Api.Hosting;
using RnnRbm.Core.Evaluation;
using RnnRbm.Core.Limits;

namespace RnnRbm.Api.Evaluations;

// The Evaluations API's JSON (camelCase through ASP.NET's web defaults). These names are the contract.

/// <summary>
/// The body of <c>POST /api/evaluations</c>: modelId and corpusId are required, the rest default as in docs/evaluation.md
/// (bounds and defaults: GET /api/evaluations/options); unknown fields, and numbers sent as strings, are refused.
/// </summary>
/// <param name="ModelId">The model to measure.</param>
/// <param name="CorpusId">The corpus whose split it is measured on (read at the model's grid and pitch range).</param>
/// <param name="Split">test (default), valid or train.</param>
/// <param name="AisRuns">AIS runs per time step. Default 10 for the converged search, 100 with aisSteps.</param>
/// <param name="AisSteps">
/// AIS transitions K of an explicit Salakhutdinov &amp; Murray three-segment schedule. Absent (the
/// default): search for a converged schedule, sm doubled per time step until doubling moves the mean log-likelihood by
/// less than aisTolerance.
/// </param>
/// <param name="AisTolerance">Without aisSteps: the convergence tolerance in nats per step. Default 0.01.</param>
/// <param name="AccSamples">Predictions sampled per time step for the accuracy. Default 10.</param>
/// <param name="Seed">Seed of every random choice, in [0, 2^53). Random when absent; the response shows the one used.</param>
public sealed record StartEvaluationRequest(
    Guid? ModelId,
    Guid? CorpusId,
    string? Split = null,
    int? AisRuns = null,
    int? AisSteps = null,
    int? AccSamples = null,
    long? Seed = null,
    double? AisTolerance = null) : IRequestBody
{
    /// <inheritdoc />
    public static IReadOnlyList<FieldLimit> Limits => EvaluationLimits.All;

    /// <inheritdoc />
    public static long MaxBodyBytes(RnnRbmOptions options) => EvaluationLimits.MaxBodyBytes;

    /// <inheritdoc />
    public void CheckFields(RequestErrors errors)
    {
        if (Split is not null && !EvaluationLimits.Splits.Contains(Split.Trim().ToLowerInvariant()))
        {
            errors.Add("split", $"split must be one of {string.Join(", ", EvaluationLimits.Splits)}; got '{Split}'.");
        }
        if (AisTolerance is not null && AisSteps is not null && !errors.ContainsKey("aisTolerance"))
        {
            errors.Add("aisTolerance", "aisTolerance is for the converged search: leave it out when aisSteps fixes the schedule.");
        }
        if (ModelId is not Guid modelId || modelId == Guid.Empty)
        {
            errors.Add("modelId", "modelId is required: the id of a model (GET /api/models).");
        }
        if (CorpusId is not Guid corpusId || corpusId == Guid.Empty)
        {
            errors.Add("corpusId", "corpusId is required: the id of a corpus (GET /api/corpora).");
        }
    }
}

/// <summary>An evaluation: its settings, where it stands, and (when succeeded) what it measured.</summary>
/// <param name="Id">The evaluation id.</param>
/// <param name="ModelId">The model measured.</param>
/// <param name="CorpusId">The corpus measured on.</param>
/// <param name="Split">The corpus split: test, valid or train.</param>
/// <param name="AisRuns">AIS runs per time step.</param>
/// <param name="AisSteps">AIS transitions of the explicit schedule asked for; null: a converged schedule was searched for.</param>
/// <param name="AisTolerance">The convergence tolerance of the search (nats per step); null with an explicit schedule.</param>
/// <param name="AccSamples">Predictions sampled per time step.</param>
/// <param name="Seed">The seed used.</param>
/// <param name="State">queued, running, stalled (its worker lost, waiting for another to measure it again), succeeded, failed or cancelled.</param>
/// <param name="Progress">Share done, in [0, 1].</param>
/// <param name="LogLikelihood">Mean log-likelihood per time step in nats (AIS).</param>
/// <param name="StandardError">AIS standard error of the log-likelihood.</param>
/// <param name="Accuracy">Expected frame-level accuracy of next-step predictions (over sampled predictions, as the paper), in [0, 1].</param>
/// <param name="AccuracyDeterministic">Frame-level accuracy of one prediction per step: pitch on iff the chains' mean visible probability is &gt; 0.5.</param>
/// <param name="BaselineAccuracy">Frame-level accuracy of predicting each step by the previous true frame (the empty frame first): a floor.</param>
/// <param name="BaselineLogLikelihood">Log-likelihood per step of independent per-pitch Bernoullis fitted on the corpus's train split (add-one smoothing): a floor.</param>
/// <param name="BaselineNote">Why baselineLogLikelihood is null, when it is.</param>
/// <param name="AisSchedule">The AIS schedule used, in words (for a search: how many steps ended at each K).</param>
/// <param name="AisTransitions">The largest number of AIS transitions used.</param>
/// <param name="AisConverged">Whether the last doubling moved the log-likelihood by less than aisTolerance; null with an explicit schedule (not checked).</param>
/// <param name="AisShift">The log-likelihood's move (nats per step) on the search's last doubling; null with an explicit schedule.</param>
/// <param name="Sequences">Sequences measured.</param>
/// <param name="Steps">Time steps measured.</param>
/// <param name="Seconds">Wall time of the evaluation.</param>
/// <param name="Gflops">Achieved AIS speed in GFLOP/s.</param>
/// <param name="Backend">The numerics backend that ran it.</param>
/// <param name="Error">Why it failed, when it did.</param>
/// <param name="CancelRequested">Whether a cancel was asked for.</param>
/// <param name="CreatedUtc">When it was requested.</param>
/// <param name="StartedUtc">When a worker first started it.</param>
/// <param name="FinishedUtc">When it ended.</param>
public sealed record EvaluationResponse(
    Guid Id,
    Guid ModelId,
    Guid CorpusId,
    string Split,
    int AisRuns,
    int? AisSteps,
    double? AisTolerance,
    int AccSamples,
    long Seed,
    string State,
    double Progress,
    double? LogLikelihood,
    double? StandardError,
    double? Accuracy,
    double? AccuracyDeterministic,
    double? BaselineAccuracy,
    double? BaselineLogLikelihood,
    string? BaselineNote,
    string? AisSchedule,
    int? AisTransitions,
    bool? AisConverged,
    double? AisShift,
    int? Sequences,
    long? Steps,
    double? Seconds,
    double? Gflops,
    string? Backend,
    string? Error,
    bool CancelRequested,
    DateTimeOffset CreatedUtc,
    DateTimeOffset? StartedUtc,
    DateTimeOffset? FinishedUtc)
{
    /// <summary>The evaluation as the API shows it: a running one whose worker is silent for <paramref name="stalledAfter"/> is stalled.</summary>
    internal static EvaluationResponse From(EvaluationEntity e, TimeSpan stalledAfter) => new(
        e.Id, e.ModelId, e.CorpusId, e.Split, e.AisRuns, e.AisSteps, e.AisTolerance, e.AccSamples, e.Seed,
        WorkStates.Shown(e.State, e.LeaseHeartbeatUtc, DateTimeOffset.UtcNow, stalledAfter),
        e.State == WorkStates.Succeeded ? 1 : Math.Clamp(e.Progress, 0, 1),
        e.LogLikelihood, e.StandardError, e.Accuracy, e.AccuracyDeterministic, e.BaselineAccuracy, e.BaselineLogLikelihood, e.BaselineNote,
        e.AisSchedule, e.AisTransitions, e.AisConverged, e.AisShift, e.Sequences, e.Steps, e.Seconds, e.Gflops, e.Backend, e.Error,
        e.CancelRequested, e.CreatedUtc, e.StartedUtc, e.FinishedUtc);
}
