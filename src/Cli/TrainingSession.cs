using RnnRbm.Core.Midi;
using RnnRbm.Core.Model;
using RnnRbm.Core.Numerics;
using RnnRbm.Core.PianoRolls;
using RnnRbm.Core.Training;

namespace RnnRbm.Cli;

/// <summary>
/// <c>rnnrbm train</c> around Core's <see cref="TrainingLoop"/>: report each epoch (monitor and validation
/// log-likelihood) and each decision of the loop, stop cleanly on Ctrl+C, save the model the loop keeps.
/// </summary>
internal sealed class TrainingSession(ModelShape shape, TrainingOptions options, EarlyStoppingOptions stopping, MidiReadOptions readOptions,
    NumericsBackend backend, int threads, Output output)
{
    /// <summary>Save a snapshot beside the output every this many epochs (0 = never).</summary>
    public int SaveEvery { get; init; }

    /// <summary>Where the snapshot after <paramref name="epoch"/> goes: <c>name.e0025.ext</c> beside <paramref name="outPath"/>.</summary>
    public static string SnapshotPath(string outPath, int epoch) =>
        Path.Combine(Path.GetDirectoryName(outPath) ?? "", $"{Path.GetFileNameWithoutExtension(outPath)}.e{epoch:D4}{Path.GetExtension(outPath)}");

    public void Run(TrainingSets data, string corpusName, string outPath)
    {
        RnnRbmParameters parameters = RnnRbmTrainer.InitialParameters(shape, options.Seed);
        var corpus = new CorpusInfo(corpusName, data.Train.Count, data.Train.Sum(r => (long)r.Steps), PianoRoll.Digest(data.Train));
        using var cancellation = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true; // keep the process: finish the update in flight, then save
            cancellation.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        // SIGTERM (a plain `kill`, a container stop, a CI runner) saves the same way as Ctrl+C.
        using var onTerm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            cancellation.Cancel();
        });
        try
        {
            using var loop = new TrainingLoop(parameters, options, stopping, backend, data, threads);
            loop.Trainer.PretrainProgress = p => output.Result(
                new { @event = "pretrain", stage = p.Stage, epoch = p.Epoch, epochs = p.Epochs, crossEntropy = p.CrossEntropy, frames = p.Frames, seconds = p.Seconds },
                $"pretrain {p.Stage} {p.Epoch,4}/{p.Epochs}  cross-entropy {p.CrossEntropy,9:F4}  {p.Seconds,7:F2} s");
            output.Info($"training H {shape.Hidden}, U {shape.Recurrent}{(shape.Kind == RecurrenceKind.Gru ? " (GRU)" : "")}, lr {options.LearningRate} (×{options.LearningRateDecay}/epoch), momentum {options.Momentum}, clip {options.ClipNorm}, batch {options.BatchSize}, CD-{options.CdK}, " +
                $"at most {options.Epochs} epochs, patience {(stopping.Patience > 0 ? stopping.Patience.ToString(System.Globalization.CultureInfo.InvariantCulture) : "off")}, seed {options.Seed}, {loop.Trainer.Threads} thread(s)" +
                $"{(options.LearnU0 ? ", learned u0" : "")}{(options.CarryState ? ", state carried across chunks" : "")}" +
                $"{(options.Transpose > 0 ? $", transposed ±{options.Transpose}" : "")}" +
                $"{(options.RbmPretrainEpochs > 0 ? $", RBM pretraining {options.RbmPretrainEpochs} epochs" : "")}" +
                $"{(options.AverageDecay > 0 ? $", parameter averaging {options.AverageDecay}" : "")}" +
                $"{(options.AverageEpochs > 0 ? $", parameter averaging over {options.AverageEpochs} epochs" : "")}" +
                $"{(options.RnnPretrainEpochs > 0 ? $", RNN pretraining {options.RnnPretrainEpochs} epochs" : "")}" +
                $"{(options.RbmPretrainEpochs + options.RnnPretrainEpochs > 0 ? $" at lr {options.PretrainLearningRate}" : "")}; Ctrl+C or SIGTERM stops and saves");
            Report(loop.Events);
            long totalFrames = data.Train.Sum(r => (long)r.Steps);
            while (!loop.Finished)
            {
                int epoch = loop.EpochsCompleted + 1;
                LoopEpoch step = output.WithProgress($"epoch {epoch}/{options.Epochs}", report =>
                    loop.RunEpoch(p => report((double)p.Frames / totalFrames), cancellation.Token));
                if (step.Record is EpochRecord r)
                {
                    output.Result(
                        new
                        {
                            @event = "epoch", epoch = r.Epoch, epochs = options.Epochs, monitor = r.Monitor, validMonitor = r.ValidMonitor,
                            validLogLikelihood = r.ValidLogLikelihood, validConverged = r.ValidConverged, validAisSteps = r.ValidAisSteps,
                            validSeconds = r.ValidSeconds, learningRate = r.LearningRate, seconds = r.Seconds, framesPerSecond = r.FramesPerSecond,
                        },
                        $"epoch {r.Epoch,4}/{options.Epochs}  monitor {r.Monitor,9:F4}" +
                        (r.ValidMonitor is double vm ? $" (valid {vm,9:F4})" : "") +
                        (r.ValidLogLikelihood is double ll ? $"  valid LL {ll,8:F4}{r.ValidConverged switch { false => " (not converged)", null => " (unchecked)", _ => "" }}" : "") +
                        $"  {r.Seconds,7:F2} s  {r.FramesPerSecond,9:N0} frames/s");
                }
                Report(step.Events);
                if (step.Cancelled)
                {
                    output.Result(new { @event = "interrupted", epoch, updates = step.Result?.Updates ?? 0 },
                        $"interrupted in epoch {epoch}: saving what was learned");
                    loop.StopNow($"interrupted in epoch {epoch}");
                    Report(loop.Events.Skip(loop.Events.Count - 1));
                    break;
                }
                if (SaveEvery > 0 && step.Record is not null && epoch % SaveEvery == 0 && !loop.Finished)
                {
                    Save(loop.Trainer.Parameters, epoch, loop, corpus, SnapshotPath(outPath, epoch));
                }
            }
            Save(loop.ResultParameters(), loop.ResultEpoch, loop, corpus, outPath);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    private void Report(IEnumerable<TrainingEvent> events)
    {
        foreach (TrainingEvent e in events)
        {
            output.Result(new { @event = e.Kind == "stopped" ? "stopped" : "decision", kind = e.Kind, epoch = e.Epoch, message = e.Message }, e.Message);
        }
    }

    private void Save(RnnRbmParameters parameters, int epoch, TrainingLoop loop, CorpusInfo corpus, string outPath)
    {
        var manifest = new ModelManifest
        {
            Shape = ShapeInfo.From(shape),
            PitchRange = PitchRangeInfo.From(readOptions.Range),
            TimeGrid = TimeGridInfo.From(readOptions.Grid),
            Training = TrainingInfo.From(options, loop.EpochsCompleted),
            Corpus = corpus,
            History = [.. loop.History],
            Stopping = loop.State,
            Numerics = new NumericsInfo(backend.Name, backend.Description),
            CreatedUtc = DateTimeOffset.UtcNow,
        };
        string? folder = Path.GetDirectoryName(Path.GetFullPath(outPath));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }
        ModelFile.Save(new RnnRbmModel(parameters, manifest), outPath);
        output.Result(new { @event = "saved", path = outPath, epochs = loop.EpochsCompleted, keptEpoch = epoch },
            $"saved {outPath} (epoch {epoch} of {loop.EpochsCompleted} trained)");
    }
}
