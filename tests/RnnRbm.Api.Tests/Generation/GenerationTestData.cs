using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using RnnRbm.Api.Storage;
using RnnRbm.Core.Midi;
using RnnRbm.Core.Model;
using RnnRbm.Core.Numerics;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Api.Tests.Generation;

/// <summary>Builders for generation tests: a small model put straight into the database, primers, requests.</summary>
internal static class GenerationTestData
{
    public static readonly PitchRange Range = new(60, 72);
    public static readonly TimeGrid Grid = new TimeGrid.Beats(2);

    /// <summary>
    /// A 12-pitch model with weights large enough that the recurrence matters (a primer changes what follows)
    /// and biases low enough that notes are sparse, as in music.
    /// </summary>
    public static RnnRbmModel SmallModel(ulong seed = 1)
    {
        var shape = new ModelShape(Range.Count, 8, 6);
        var parameters = new RnnRbmParameters(shape);
        var random = new VectorRandom(seed, 0);
        random.NextGaussian(parameters.W, 0.8f);
        random.NextGaussian(parameters.Wuh, 0.8f);
        random.NextGaussian(parameters.Wuv, 1.5f);
        random.NextGaussian(parameters.Wvu, 1.5f);
        random.NextGaussian(parameters.Wuu, 0.5f);
        Array.Fill(parameters.Bv, -1.5f);
        var manifest = new ModelManifest
        {
            Shape = ShapeInfo.From(shape),
            PitchRange = PitchRangeInfo.From(Range),
            TimeGrid = TimeGridInfo.From(Grid),
            Training = TrainingInfo.From(new TrainingOptions { Seed = seed, Epochs = 1 }, 1),
            Numerics = new NumericsInfo("simd", "test"),
            CreatedUtc = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
        };
        return new RnnRbmModel(parameters, manifest);
    }

    /// <summary>Stores a model as the Models feature would, and returns its id.</summary>
    public static async Task<Guid> AddModelAsync(RnnRbmAppFactory app, RnnRbmModel? model = null, string name = "test model", Guid? corpusId = null)
    {
        model ??= SmallModel();
        using IServiceScope scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RnnRbmDbContext>();
        var entity = new ModelEntity
        {
            Name = name,
            CreatedUtc = DateTimeOffset.UtcNow,
            File = ModelFile.Write(model),
            ManifestJson = JsonSerializer.Serialize(model.Manifest, ModelFile.JsonOptions),
            Origin = "import",
            CorpusId = corpusId,
        };
        db.Models.Add(entity);
        await db.SaveChangesAsync();
        return entity.Id;
    }

    public static async Task DeleteModelAsync(RnnRbmAppFactory app, Guid id)
    {
        using IServiceScope scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RnnRbmDbContext>();
        db.Models.Remove(await db.Models.SingleAsync(m => m.Id == id));
        await db.SaveChangesAsync();
    }

    /// <summary>A primer: a rising line, one pitch per step, as a MIDI file on the model's grid.</summary>
    public static byte[] PrimerMidi(int steps = 16)
    {
        var roll = new PianoRoll(steps, Range);
        for (int t = 0; t < steps; t++)
        {
            roll[t, Range.Lowest + (t % Range.Count)] = true;
        }
        return MidiWriter.Write(roll, new MidiWriteOptions { Grid = Grid });
    }

    public static Task<HttpResponseMessage> PostGenerateAsync(this HttpClient client, object body) =>
        client.PostAsJsonAsync(new Uri("/generate", UriKind.Relative), body);

    public static PianoRoll ReadMidi(byte[] bytes) => MidiReader.Read(bytes, new MidiReadOptions { Grid = Grid, Range = Range }).Roll;
}
