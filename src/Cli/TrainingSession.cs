using RnnRbm.Core.Midi;
using RnnRbm.Core.Model;
using RnnRbm.Core.Numerics;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Cli;

/// <summary>The epoch loop of <c>rnnrbm train</c>: report each epoch, stop cleanly on Ctrl+C, save the model.</summary>
internal sealed class TrainingSession(ModelShape shape, TrainingOptions options, MidiReadOptions readOptions, NumericsBackend backend, int threads, Output output)
{
    /// <summary>Save a snapshot beside the output every this many epochs (0 = never).</summary>
    public int SaveEvery { get; init; }

    /// <summary>Where the snapshot after <paramref name="epoch"/> goes: <c>name.e0025.ext</c> beside <paramref name="outPath"/>.</summary>
    public static string SnapshotPath(string outPath, int epoch) =>
        Path.Combine(Path.GetDirectoryName(outPath) ?? "", $"{Path.GetFileNameWithoutExtension(outPath)}.e{epoch:D4}{Path.GetExtension(outPath)}");

    public void Run(IReadOnlyList<PianoRoll> train, IReadOnlyList<PianoRoll>? valid, CorpusInfo corpus, string outPath)
    {
        RnnRbmParameters parameters = RnnRbmTrainer.InitialParameters(shape, options.Seed);
        var history = new List<EpochRecord>();
        using var cancellation = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true; // keep the process: finish the update in flight, then save
            cancellation.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            using var trainer = new RnnRbmTrainer(parameters, options, backend, threads)
            {
                PretrainProgress = p => output.Result(
                    new { @event = "pretrain", stage = p.Stage, epoch = p.Epoch, epochs = p.Epochs, crossEntropy = p.CrossEntropy, frames = p.Frames, seconds = p.Seconds },
                    $"pretrain {p.Stage} {p.Epoch,4}/{p.Epochs}  cross-entropy {p.CrossEntropy,9:F4}  {p.Seconds,7:F2} s"),
            };
            output.Info($"training H {shape.Hidden}, U {shape.Recurrent}{(shape.Kind == RecurrenceKind.Gru ? " (GRU)" : "")}, lr {options.LearningRate} (×{options.LearningRateDecay}/epoch), momentum {options.Momentum}, clip {options.ClipNorm}, batch {options.BatchSize}, CD-{options.CdK}, " +
                $"{options.Epochs} epochs, seed {options.Seed}, {trainer.Threads} thread(s)" +
                $"{(options.LearnU0 ? ", learned u0" : "")}{(options.CarryState ? ", state carried across chunks" : "")}" +
                $"{(options.Transpose > 0 ? $", transposed ±{options.Transpose}" : "")}" +
                $"{(options.RbmPretrainEpochs > 0 ? $", RBM pretraining {options.RbmPretrainEpochs} epochs" : "")}" +
                $"{(options.RnnPretrainEpochs > 0 ? $", RNN pretraining {options.RnnPretrainEpochs} epochs" : "")}" +
                $"{(options.RbmPretrainEpochs + options.RnnPretrainEpochs > 0 ? $" at lr {options.PretrainLearningRate}" : "")}; Ctrl+C stops and saves");
            long totalFrames = train.Sum(r => (long)r.Steps);
            while (trainer.EpochsCompleted < options.Epochs)
            {
                int epoch = trainer.EpochsCompleted + 1;
                EpochResult result = output.WithProgress($"epoch {epoch}/{options.Epochs}", report =>
                    trainer.TrainEpoch(train, p => report((double)p.Frames / totalFrames), cancellation.Token));
                if (result.Cancelled)
                {
                    output.Result(new { @event = "interrupted", epoch, updates = result.Updates },
                        $"interrupted in epoch {epoch} after {result.Updates} updates: saving what was learned");
                    break;
                }
                double? validMonitor = valid is null ? null : trainer.MeasureMonitor(valid);
                history.Add(new EpochRecord(epoch, result.Monitor, validMonitor, result.Seconds, result.FramesPerSecond));
                output.Result(
                    new { @event = "epoch", epoch, epochs = options.Epochs, monitor = result.Monitor, validMonitor, seconds = result.Seconds, framesPerSecond = result.FramesPerSecond },
                    $"epoch {epoch,4}/{options.Epochs}  monitor {result.Monitor,9:F4}" +
                    (validMonitor is double vm ? $"  valid {vm,9:F4}" : "") +
                    $"  {result.Seconds,7:F2} s  {result.FramesPerSecond,9:N0} frames/s");
                if (SaveEvery > 0 && epoch % SaveEvery == 0 && epoch < options.Epochs)
                {
                    Save(parameters, trainer.EpochsCompleted, history, corpus, SnapshotPath(outPath, epoch));
                }
            }
            Save(parameters, trainer.EpochsCompleted, history, corpus, outPath);
        }
        catch (TrainingDivergedException ex)
        {
            throw new UsageException(ex.Message + " Nothing was written.");
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    private void Save(RnnRbmParameters parameters, int epochsCompleted, List<EpochRecord> history, CorpusInfo corpus, string outPath)
    {
        var manifest = new ModelManifest
        {
            Shape = ShapeInfo.From(shape),
            PitchRange = PitchRangeInfo.From(readOptions.Range),
            TimeGrid = TimeGridInfo.From(readOptions.Grid),
            Training = TrainingInfo.From(options, epochsCompleted),
            Corpus = corpus,
            History = history,
            Numerics = new NumericsInfo(backend.Name, backend.Description),
            CreatedUtc = DateTimeOffset.UtcNow,
        };
        string? folder = Path.GetDirectoryName(Path.GetFullPath(outPath));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }
        ModelFile.Save(new RnnRbmModel(parameters, manifest), outPath);
        output.Result(new { @event = "saved", path = outPath, epochs = epochsCompleted },
            $"saved {outPath} ({epochsCompleted} epochs)");
    }
}
