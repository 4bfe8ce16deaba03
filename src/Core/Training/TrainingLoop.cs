using System.Diagnostics;
using RnnRbm.Core.Evaluation;
using RnnRbm.Core.Model;
using RnnRbm.Core.Numerics;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Core.Training;

/// <summary>
/// The one epoch loop of the command line and the service: an epoch of <see cref="RnnRbmTrainer"/>, the seed's
/// monitor on the validation data, and, every few epochs, the validation log-likelihood that decides the rest
/// (<see cref="EarlyStoppingOptions"/>):
/// <list type="bullet">
/// <item>the best validated epoch's parameters are kept aside, and are the model when the training ends (KeepBest);</item>
/// <item>after <c>PlateauEpochs</c> without a better one (since the best epoch or the last cut) the parameters go back to
/// the best epoch and the learning rate halves;</item>
/// <item>after <c>Patience</c> epochs without a better validation log-likelihood the training stops;</item>
/// <item>a non-finite gradient or estimate, or an estimate <c>DivergenceDrop</c> nats below the best, rolls the
/// parameters back to the best epoch, forgets the momentum and halves the learning rate; one roll-back more than
/// <c>MaxRollbacks</c> stops the training.</item>
/// </list>
/// Every decision is a <see cref="TrainingEvent"/> in words. The caller drives it one epoch at a time
/// (<see cref="RunEpoch"/>) and may save <see cref="Checkpoint"/> between epochs; a loop built from that checkpoint
/// continues exactly as the interrupted one would have.
/// </summary>
public sealed class TrainingLoop : IDisposable
{
    private readonly TrainingOptions _options;
    private readonly EarlyStoppingOptions _stopping;
    private readonly TrainingSets _data;
    private readonly RnnRbmTrainer _trainer;
    private readonly IValidationEstimator? _validation;
    private readonly RnnRbmParameters _best;
    private readonly List<EpochRecord> _history;
    private readonly List<TrainingEvent> _events;
    private int? _bestEpoch;
    private double? _bestLogLikelihood;
    private int? _keptEpoch;
    private string? _stopReason;
    private int _aisSteps;
    private int _validateEvery;
    private int _lastValidated;
    private int _rollbacks;
    private int _lastCut;
    private int _cuts;
    private int _validations;
    private double? _checkShift;
    private int _checkChains = EarlyStoppingOptions.MostBracketChains;
    private int _shiftChains = EarlyStoppingOptions.MostBracketChains;

    /// <summary>Starts training <paramref name="parameters"/> (updated in place), or continues from <paramref name="resume"/>.</summary>
    /// <param name="parameters">θ: the initial parameters, or the checkpoint's current ones when resuming.</param>
    /// <param name="options">The trainer's options.</param>
    /// <param name="stopping">Validation, early stopping and the divergence guard.</param>
    /// <param name="backend">Numerics backend.</param>
    /// <param name="data">What to learn from and what to validate on.</param>
    /// <param name="threads">Threads (0 = as many as help, at most 2); results do not depend on it.</param>
    /// <param name="resume">Where an earlier loop of the same run stopped.</param>
    public TrainingLoop(RnnRbmParameters parameters, TrainingOptions options, EarlyStoppingOptions stopping, NumericsBackend backend,
        TrainingSets data, int threads = 0, TrainingResume? resume = null)
        : this(parameters, options, stopping, backend, data, threads, resume,
            stopping.Validate && data.Valid.Count > 0 ? new ValidationLikelihood(data.Valid, stopping, backend, threads) : null)
    {
    }

    /// <summary>As the public constructor, with the validation estimate given (tests of the decisions).</summary>
    internal TrainingLoop(RnnRbmParameters parameters, TrainingOptions options, EarlyStoppingOptions stopping, NumericsBackend backend,
        TrainingSets data, int threads, TrainingResume? resume, IValidationEstimator? validation)
    {
        stopping.ThrowIfInvalid();
        _options = options;
        _stopping = stopping;
        _data = data;
        _trainer = new RnnRbmTrainer(parameters, options, backend, threads, resume?.Trainer);
        _validation = validation;
        _history = [.. resume?.History ?? []];
        if (resume is null)
        {
            _best = parameters.Clone();
            _events = [];
            _aisSteps = stopping.AisSteps;
            _validateEvery = stopping.ValidateEvery > 0 ? stopping.ValidateEvery : 1;
            _events.Add(new TrainingEvent(0, "note", _validation is null
                ? "No validation data (fewer than two training sequences and no valid split): the validation log-likelihood is not measured and the last epoch is kept."
                : $"The validation log-likelihood is measured on {_validation.Steps:N0} steps {(stopping.SampleSteps ? "drawn from all " : "of ")}{_validation.Sequences} {(data.ValidSource == TrainingSets.HeldOut ? "held-out training" : "validation")} sequences " +
                  (stopping.Estimator != LikelihoodEstimator.Bracket ? "by AIS, its schedule doubled until it converges."
                      : stopping.CheckEvery == 1 ? "by the bracket estimator, checked by doubling its samples."
                      : $"by the bracket estimator, checked by doubling its samples every {stopping.CheckEvery} validations (the first included); " +
                        "in between, its first pass plus the last check's move.")));
        }
        else
        {
            StoppingInfo state = resume.Stopping;
            _best = resume.Best.Clone();
            _events = [.. state.Events];
            _bestEpoch = state.BestEpoch;
            _bestLogLikelihood = state.BestValidLogLikelihood;
            _keptEpoch = state.KeptEpoch;
            _stopReason = state.StopReason;
            _aisSteps = state.AisSteps;
            _validateEvery = state.ValidateEvery;
            _lastValidated = state.LastValidatedEpoch;
            _rollbacks = state.Rollbacks;
            _lastCut = state.LastCutEpoch;
            _cuts = state.Cuts;
            _validations = state.Validations;
            _checkShift = state.CheckShift;
            _checkChains = state.CheckChains ?? EarlyStoppingOptions.MostBracketChains;
            _shiftChains = state.ShiftChains ?? EarlyStoppingOptions.MostBracketChains;
        }
    }

    /// <summary>The trainer (its parameters are θ as learned so far).</summary>
    public RnnRbmTrainer Trainer => _trainer;

    /// <summary>Every completed epoch, oldest first.</summary>
    public IReadOnlyList<EpochRecord> History => _history;

    /// <summary>What the loop decided so far.</summary>
    public IReadOnlyList<TrainingEvent> Events => _events;

    /// <summary>True once the loop stopped (early, by divergence, or at the planned epochs).</summary>
    public bool Finished => _stopReason is not null;

    /// <summary>Whole epochs completed.</summary>
    public int EpochsCompleted => _trainer.EpochsCompleted;

    /// <summary>Where early stopping stands (for the manifest and checkpoints).</summary>
    public StoppingInfo State => new(
        _validation is not null, _stopping.KeepBest, _stopping.Patience, _bestEpoch, _bestLogLikelihood, _keptEpoch, _stopReason,
        _validation?.Steps ?? 0, _validation?.Sequences ?? 0, _data.ValidSource, _aisSteps, _validateEvery, _lastValidated, _rollbacks,
        [.. _events], _lastCut, _cuts, _validations, _checkShift, _checkChains, _shiftChains);

    /// <summary>
    /// The parameters the model should hold: the best validated epoch's when <see cref="EarlyStoppingOptions.KeepBest"/>
    /// and some epoch was validated, else the current ones. A copy.
    /// </summary>
    public RnnRbmParameters ResultParameters() =>
        _stopping.KeepBest && _bestEpoch is > 0 ? _best.Clone() : _trainer.Estimate.Clone();

    /// <summary>The epoch <see cref="ResultParameters"/> comes from.</summary>
    public int ResultEpoch => _stopping.KeepBest && _bestEpoch is int best and > 0 ? best : _trainer.EpochsCompleted;

    /// <summary>Everything a later loop needs to continue exactly: call it between epochs.</summary>
    public TrainingResume Checkpoint() => new(_trainer.Checkpoint(), State, [.. _history], _best.Clone());

    /// <summary>
    /// One epoch: the updates, the monitor on the validation data, and the validation log-likelihood when it is due,
    /// with what follows from it. Does nothing once <see cref="Finished"/>.
    /// </summary>
    /// <exception cref="OperationCanceledException">Never: a cancelled epoch returns with <see cref="LoopEpoch.Cancelled"/>.</exception>
    public LoopEpoch RunEpoch(Action<EpochProgress>? progress = null, CancellationToken cancellation = default)
    {
        if (Finished)
        {
            return new LoopEpoch(null, null, [], true, false);
        }
        int eventsBefore = _events.Count;
        int epoch = _trainer.EpochsCompleted + 1;
        float learningRate = _options.LearningRateAt(epoch) * _trainer.LearningRateScale;
        var clock = Stopwatch.StartNew();
        EpochResult result;
        try
        {
            result = _trainer.TrainEpoch(_data.Train, progress, cancellation);
        }
        catch (TrainingDivergedException ex)
        {
            Rollback(epoch, $"epoch {epoch} diverged ({ex.Message.Split(':')[0]})");
            return new LoopEpoch(null, null, [.. _events.Skip(eventsBefore)], Finished, false);
        }
        if (result.Cancelled)
        {
            return new LoopEpoch(result, null, [], false, true);
        }
        double? validMonitor = _data.Valid.Count > 0 ? _trainer.MeasureMonitor(_data.Valid) : null;
        double epochSeconds = clock.Elapsed.TotalSeconds;

        ValidationEstimate? estimate = null;
        if (_validation is not null && (epoch - _lastValidated >= _validateEvery || epoch >= _options.Epochs))
        {
            try
            {
                estimate = Validate(epoch, epochSeconds, cancellation);
            }
            catch (OperationCanceledException)
            {
                // The epoch's updates are done; it stays unvalidated and the caller sees the cancellation.
            }
        }
        var record = new EpochRecord(epoch, result.Monitor, validMonitor is double vm && double.IsFinite(vm) ? vm : null,
            result.Seconds, result.FramesPerSecond,
            estimate is { } e && double.IsFinite(e.LogLikelihood) ? e.LogLikelihood : null,
            estimate is { Checked: true } ? estimate.Converged : null, estimate?.AisSteps, estimate?.Seconds, learningRate);
        _history.Add(record);
        if (!Finished && estimate is not null)
        {
            Decide(epoch, estimate);
        }
        if (!Finished && epoch >= _options.Epochs)
        {
            Stop(epoch, $"the planned {_options.Epochs} epochs are done");
        }
        return new LoopEpoch(result, record, [.. _events.Skip(eventsBefore)], Finished, cancellation.IsCancellationRequested);
    }

    /// <summary>Ends the loop where it is (a cancel): the model keeps the best epoch as at a normal end.</summary>
    public void StopNow(string reason)
    {
        if (!Finished)
        {
            Stop(_trainer.EpochsCompleted, reason);
        }
    }

    private ValidationEstimate Validate(int epoch, double epochSeconds, CancellationToken cancellation)
    {
        // The bracket's doubling check (about two thirds of a checked validation's time) runs every CheckEvery
        // validations; in between, the first pass plus the last check's move stands in for it, so that every reading is
        // on the checked scale (the first pass alone reads higher, and more so as the model sharpens).
        // The chains follow the checks (EarlyStoppingOptions.CheapCheckShare): a check runs at the chains its
        // predecessor chose, the readings between two checks at the last check's chains, whose move they add.
        bool check = _stopping.Estimator != LikelihoodEstimator.Bracket || _checkShift is null || _validations % _stopping.CheckEvery == 0;
        int chains = check ? _checkChains : _shiftChains;
        ValidationEstimate estimate = _validation!.Measure(_trainer.Estimate, _aisSteps, check, chains, cancellation);
        _validations++;
        if (estimate.Checked)
        {
            // A diverged model's check moves by NaN: the last finite move stays, or the readings after the roll-back
            // would all read NaN and roll back again.
            if (double.IsFinite(estimate.Change))
            {
                _checkShift = estimate.Change;
                _shiftChains = chains;
                if (_stopping.Estimator == LikelihoodEstimator.Bracket && estimate.Doubled)
                {
                    FollowTheCheck(epoch, estimate.Change, chains);
                }
            }
        }
        else if (_checkShift is double shift)
        {
            estimate = estimate with { LogLikelihood = estimate.LogLikelihood + shift };
        }
        _lastValidated = epoch;
        // The next search starts one doubling below where this one ended: a sharper model needs a longer schedule,
        // and the rounds below it would only be repeated.
        if (estimate.AisSteps is int transitions)
        {
            _aisSteps = Math.Clamp(transitions / 2, _stopping.AisSteps, _stopping.MaxAisSteps / 2);
        }
        if (estimate.Checked && !estimate.Converged && double.IsFinite(estimate.LogLikelihood) && !_events.Any(e => e.Kind == "schedule"))
        {
            // Said once per training (the events are part of the checkpoint, so a resumed run does not say it again).
            _events.Add(new TrainingEvent(epoch, "schedule",
                (estimate.AisSteps is int k
                    ? $"The validation estimate had not converged at {k} AIS transitions (its last doubling moved it by {estimate.Change:F4} nats): "
                    : $"The validation estimate had not converged (doubling the bracket's chains and samples moved it by {estimate.Change:F4} nats): ") +
                "it may read too high, and more so for sharper models."));
        }
        if (_stopping.ValidateEvery == 0)
        {
            // Automatic: validation takes about AutomaticBudget of the time, yet at least three times within the patience.
            int every = (int)Math.Ceiling(estimate.Seconds / (EarlyStoppingOptions.AutomaticBudget * Math.Max(epochSeconds, 1e-3)));
            int most = _stopping.Patience > 0 ? Math.Max(1, _stopping.Patience / 3) : 50;
            if (_stopping.PlateauEpochs > 0)
            {
                // Twice within a plateau, so that one validation that reads worse than the best (the estimate and the
                // model both move by a few hundredths between snapshots) does not halve the rate on its own: a cut
                // needs two readings in a row without a better one.
                most = Math.Min(most, Math.Max(1, _stopping.PlateauEpochs / 2));
            }
            // With the plateau rule a validation can change the parameters, so its cadence must not depend on timing
            // (else two runs of one training, or a resumed and a straight one, would learn different parameters).
            _validateEvery = _stopping.PlateauEpochs > 0 ? most : Math.Clamp(every, 1, most);
        }
        return estimate;
    }

    // Halves the next check's chains after a measured move far below the tolerance, doubles them after one above it. A
    // first pass that closed its CSL gap (a nearly untrained model's) measured no move and decides nothing: halving there
    // put Nottingham's early readings at C 50 while the model sharpened, up to 0.04 nats too high.
    // Known limit: when the chains go back up, the best reading so far was read at the fewer chains (a little high).
    private void FollowTheCheck(int epoch, double move, int chains)
    {
        double tolerance = _stopping.ConvergenceTolerance;
        int next = Math.Abs(move) < EarlyStoppingOptions.CheapCheckShare * tolerance
            ? Math.Max(EarlyStoppingOptions.FewestBracketChains, chains / 2)
            : Math.Abs(move) >= tolerance ? Math.Min(EarlyStoppingOptions.MostBracketChains, chains * 2) : chains;
        if (next != _checkChains)
        {
            _events.Add(new TrainingEvent(epoch, "note",
                $"The validation's check moved the estimate by {move:F4} nats: the next check runs at {next} chains (this one: {chains})."));
        }
        _checkChains = next;
    }

    private void Decide(int epoch, ValidationEstimate estimate)
    {
        double value = estimate.LogLikelihood;
        if (!double.IsFinite(value))
        {
            Rollback(epoch, $"the validation log-likelihood of epoch {epoch} is not finite");
            return;
        }
        if (_bestLogLikelihood is double best && value < best - _stopping.DivergenceDrop)
        {
            Rollback(epoch, $"the validation log-likelihood fell from {best:F4} (epoch {_bestEpoch}) to {value:F4} at epoch {epoch}, more than {_stopping.DivergenceDrop} nats");
            return;
        }
        if (_bestLogLikelihood is not double previous || value > previous)
        {
            _best.CopyFrom(_trainer.Estimate);
            _bestEpoch = epoch;
            _bestLogLikelihood = value;
        }
        if (_stopping.Patience > 0 && epoch - (_bestEpoch ?? 0) >= _stopping.Patience)
        {
            Stop(epoch, $"the validation log-likelihood has not improved for {epoch - _bestEpoch} epochs (patience {_stopping.Patience})");
            return;
        }
        if (_stopping.PlateauEpochs > 0 && _bestEpoch is int bestEpoch && bestEpoch < epoch
            && epoch - Math.Max(bestEpoch, _lastCut) >= _stopping.PlateauEpochs)
        {
            Cut(epoch, bestEpoch);
        }
    }

    // A plateau: back to the best epoch with half the learning rate (the patience still counts from the best epoch).
    private void Cut(int epoch, int bestEpoch)
    {
        BackToBest();
        _trainer.LearningRateScale *= 0.5f;
        _lastCut = epoch;
        _cuts++;
        float next = _options.LearningRateAt(epoch + 1) * _trainer.LearningRateScale;
        _events.Add(new TrainingEvent(epoch, "plateau",
            $"Plateau: no better validation log-likelihood for {epoch - bestEpoch} epochs. The parameters are back at epoch {bestEpoch} " +
            $"({_bestLogLikelihood:F4} nats per step) and the learning rate is halved to {next:G3}."));
    }

    private void Rollback(int epoch, string why)
    {
        BackToBest();
        _rollbacks++;
        string to = _bestEpoch is int b && b > 0 ? $"epoch {b}" : "the initial parameters";
        if (_rollbacks > _stopping.MaxRollbacks)
        {
            _events.Add(new TrainingEvent(epoch, "rollback", $"Divergence: {why}. The parameters are back at {to}."));
            Stop(epoch, $"it diverged {_rollbacks} times although the learning rate was lowered each time");
            return;
        }
        _trainer.LearningRateScale *= 0.5f;
        // The roll-back halved the rate as a plateau cut does: the next plateau window starts here, so that the run
        // has a whole window at the new rate (else a roll-back 5 epochs after the best was cut again 5 epochs later).
        _lastCut = epoch;
        float next = _options.LearningRateAt(epoch + 1) * _trainer.LearningRateScale;
        _events.Add(new TrainingEvent(epoch, "rollback",
            $"Divergence: {why}. The parameters are back at {to} and the learning rate is halved to {next:G3} (roll-back {_rollbacks} of at most {_stopping.MaxRollbacks})."));
    }

    // The parameters (and their average) go back to the best epoch (the initial ones before any validation) and the
    // momentum is forgotten.
    private void BackToBest() => _trainer.ResetTo(_best);

    private void Stop(int epoch, string why)
    {
        _keptEpoch = ResultEpoch;
        _stopReason = why;
        string kept = _stopping.KeepBest && _bestEpoch is int b && b > 0
            ? $"The model keeps epoch {b}, the best on validation ({_bestLogLikelihood:F4} nats per step)."
            : $"The model keeps the last epoch, {_trainer.EpochsCompleted}.";
        _events.Add(new TrainingEvent(epoch, "stopped", $"Training stopped after epoch {epoch}: {why}. {kept}"));
    }

    /// <inheritdoc />
    public void Dispose() => _trainer.Dispose();
}

/// <summary>What one <see cref="TrainingLoop.RunEpoch"/> did.</summary>
/// <param name="Result">The trainer's epoch (null when the epoch diverged and was rolled back, or the loop had finished).</param>
/// <param name="Record">The history entry it added (null when none).</param>
/// <param name="Events">Events it added.</param>
/// <param name="Finished">The loop has stopped.</param>
/// <param name="Cancelled">Cancellation interrupted it.</param>
public sealed record LoopEpoch(EpochResult? Result, EpochRecord? Record, IReadOnlyList<TrainingEvent> Events, bool Finished, bool Cancelled);

/// <summary>Where a <see cref="TrainingLoop"/> stands between epochs: enough to continue it exactly.</summary>
/// <param name="Trainer">The trainer's random streams, epoch count, velocity and learning-rate scale.</param>
/// <param name="Stopping">Early stopping's state.</param>
/// <param name="History">The epochs so far.</param>
/// <param name="Best">The best validated epoch's parameters (the initial ones before any validation).</param>
public sealed record TrainingResume(TrainerCheckpoint Trainer, StoppingInfo Stopping, IReadOnlyList<EpochRecord> History, RnnRbmParameters Best);

/// <summary>The sequences a training learns from and validates on.</summary>
/// <param name="Train">Learned from.</param>
/// <param name="Valid">Validated on (the monitor and the log-likelihood); may be empty.</param>
/// <param name="ValidSource"><see cref="TrainingSets.Split"/> or <see cref="TrainingSets.HeldOut"/>.</param>
public sealed record TrainingSets(IReadOnlyList<PianoRoll> Train, IReadOnlyList<PianoRoll> Valid, string ValidSource)
{
    /// <summary>The corpus's own validation split.</summary>
    public const string Split = "valid";

    /// <summary>A seeded tenth of the training sequences (<see cref="TrainingSplit.HoldOut"/>).</summary>
    public const string HeldOut = "held-out";

    /// <summary>The given validation sequences, or, when there are none, a seeded tenth of the training ones held out.</summary>
    public static TrainingSets Of(IReadOnlyList<PianoRoll> train, IReadOnlyList<PianoRoll>? valid, ulong seed)
    {
        if (valid is { Count: > 0 })
        {
            return new TrainingSets(train, valid, Split);
        }
        (IReadOnlyList<PianoRoll> learn, IReadOnlyList<PianoRoll> held) = TrainingSplit.HoldOut(train, seed);
        return new TrainingSets(learn, held, HeldOut);
    }
}
