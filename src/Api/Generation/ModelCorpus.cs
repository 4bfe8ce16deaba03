using Microsoft.EntityFrameworkCore;
using RnnRbm.Api.Storage;
using RnnRbm.Api.Training;
using RnnRbm.Core.Midi;
using RnnRbm.Core.Model;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Api.Generation;

/// <summary>The music a model learned, as the service holds it: the train files of its corpus, on the model's grid and range.</summary>
internal static class ModelCorpus
{
    /// <summary>The train files of corpus <paramref name="corpusId"/> read as <paramref name="model"/> reads music, by name; empty when there are none.</summary>
    public static List<(string Name, PianoRoll Roll)> TrainFiles(RnnRbmDbContext db, Guid corpusId, RnnRbmModel model)
    {
        var options = new MidiReadOptions { Grid = model.Grid, Range = model.Range };
        var files = new List<(string, PianoRoll)>();
        foreach (var file in db.CorpusFiles.AsNoTracking()
            .Where(f => f.CorpusId == corpusId && f.Accepted && f.Bytes != null && f.Split == TrainingData.TrainSplit)
            .OrderBy(f => f.FileName).ThenBy(f => f.Id)
            .Select(f => new { f.FileName, f.Bytes }))
        {
            try
            {
                files.Add((file.FileName, MidiReader.Read(file.Bytes!, options).Roll));
            }
            catch (InvalidMidiException)
            {
                // Accepted at upload on the statistics grid; unreadable on this one: the model did not learn it either.
            }
        }
        return files;
    }
}
