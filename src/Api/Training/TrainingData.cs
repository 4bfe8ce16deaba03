using Microsoft.EntityFrameworkCore;
using RnnRbm.Api.Storage;
using RnnRbm.Core.Midi;
using RnnRbm.Core.Model;
using RnnRbm.Core.PianoRolls;
using RnnRbm.Core.Training;

namespace RnnRbm.Api.Training;

/// <summary>
/// A corpus read for one training: the accepted train (and valid) files through <see cref="MidiReader"/> at the
/// training's grid and range, empty rolls left out, in a fixed order (file name, then id) so that a resumed run
/// sees exactly the sequences the interrupted one saw. Without valid files a seeded tenth of the train files is held
/// out to validate on (<see cref="TrainingSets.Of"/>); <see cref="Corpus"/> describes what is learned from.
/// </summary>
internal sealed record TrainingData(TrainingSets Sets, CorpusInfo Corpus)
{
    public IReadOnlyList<PianoRoll> Train => Sets.Train;

    public IReadOnlyList<PianoRoll> Valid => Sets.Valid;

    public const string TrainSplit = "train";
    public const string ValidSplit = "valid";

    /// <summary>Frames (steps) of one epoch.</summary>
    public long TrainFrames => Corpus.Steps;

    /// <exception cref="TrainingInputException">The corpus is gone or gives no usable train sequence.</exception>
    public static TrainingData Load(RnnRbmDbContext db, Guid corpusId, TrainingSettings settings, ILogger log) =>
        Load(db, corpusId, new MidiReadOptions { Grid = settings.Grid, Range = settings.Range }, settings.Seed, log);

    /// <summary>The corpus at <paramref name="options"/>' grid and range; a held-out tenth (if any) is drawn with <paramref name="seed"/>.</summary>
    /// <exception cref="TrainingInputException">The corpus is gone or gives no usable train sequence.</exception>
    public static TrainingData Load(RnnRbmDbContext db, Guid corpusId, MidiReadOptions options, ulong seed, ILogger log)
    {
        string name = db.Corpora.AsNoTracking().Where(c => c.Id == corpusId).Select(c => c.Name).FirstOrDefault()
            ?? throw new TrainingInputException($"The corpus {corpusId} no longer exists.");
        var files = db.CorpusFiles.AsNoTracking()
            .Where(f => f.CorpusId == corpusId && f.Accepted && f.Bytes != null && (f.Split == TrainSplit || f.Split == ValidSplit))
            .OrderBy(f => f.FileName).ThenBy(f => f.Id)
            .Select(f => new { f.FileName, f.Split, f.Bytes })
            .ToList();
        var train = new List<PianoRoll>();
        var valid = new List<PianoRoll>();
        foreach (var file in files)
        {
            PianoRoll roll;
            try
            {
                roll = MidiReader.Read(file.Bytes!, options).Roll;
            }
            catch (InvalidMidiException ex)
            {
                // Accepted at upload on the statistics grid; a finer grid can still exceed the step limit.
                log.LogWarning("Training skips {File} of corpus {Corpus}: {Reason}", file.FileName, corpusId, ex.Reason);
                continue;
            }
            if (roll.Steps > 0)
            {
                (file.Split == TrainSplit ? train : valid).Add(roll);
            }
        }
        if (train.Count == 0)
        {
            throw new TrainingInputException(
                $"No accepted train file of corpus '{name}' gives a non-empty piano-roll at {options.Grid}, {options.Range}.");
        }
        TrainingSets sets = TrainingSets.Of(train, valid, seed);
        return new TrainingData(sets, new CorpusInfo(name, sets.Train.Count, sets.Train.Sum(r => (long)r.Steps), PianoRoll.Digest(sets.Train)));
    }
}

/// <summary>The training's input cannot be used (the corpus is gone, empty at this grid, or changed under a checkpoint).</summary>
public sealed class TrainingInputException : Exception
{
    public TrainingInputException()
    {
    }

    public TrainingInputException(string message) : base(message)
    {
    }

    public TrainingInputException(string message, Exception inner) : base(message, inner)
    {
    }
}
