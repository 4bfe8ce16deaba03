using Microsoft.Kiota.Abstractions;
using RnnRbm.Client.Models;

namespace RnnRbm.Client;

/// <summary>
/// The walk-through of src/Client/README.md, as code that compiles against the generated client and that the contract
/// tests run (tests/RnnRbm.Client.Tests): upload MIDI files as a corpus, train a model on it, wait for the training,
/// then save a generated piece as MIDI and as a piano-roll PNG.
/// </summary>
public static class RnnRbmQuickStart
{
    /// <summary>What the walk-through made and wrote.</summary>
    public sealed record Outcome(Guid CorpusId, Guid TrainingId, Guid ModelId, string MidiPath, string PngPath);

    /// <summary>
    /// Runs the walk-through on <paramref name="client"/>: <paramref name="midiFiles"/> become a corpus, a training of
    /// <paramref name="epochs"/> epochs makes a model, and piece.mid and piece.png land in <paramref name="outputFolder"/>.
    /// </summary>
    public static async Task<Outcome> RunAsync(RnnRbmApiClient client, IEnumerable<string> midiFiles, string outputFolder,
        int epochs = 5, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        // <quick-start>
        // 1. A corpus: MIDI files (or zips) in the multipart field "files".
        var upload = new MultipartBody();
        upload.AddOrReplacePart("name", "text/plain", "my tunes");
        foreach (string path in midiFiles)
        {
            upload.AddOrReplacePart("files", "audio/midi", await File.ReadAllBytesAsync(path, cancellationToken), Path.GetFileName(path));
        }
        CorpusDetails corpus = (await client.Api.Corpora.PostAsync(upload, cancellationToken: cancellationToken))!;

        // 2. A training, run by the service in the background (every field but the corpus is optional: the default recipe).
        TrainingResponse training = (await client.Api.Trainings.PostAsync(new StartTrainingRequest
        {
            CorpusId = corpus.Id,
            StepsPerQuarter = 2,
            Epochs = epochs,
            Hidden = 50,
            Recurrent = 30,
            Seed = 7,
        }, cancellationToken: cancellationToken))!;

        // 3. Wait for it: poll its state until it has finished (succeeded, failed or cancelled).
        while (training.State is not ("succeeded" or "failed" or "cancelled"))
        {
            await Task.Delay(TimeSpan.FromSeconds(0.5), cancellationToken);
            training = (await client.Api.Trainings[training.Id!.Value].GetAsync(cancellationToken: cancellationToken))!;
        }
        if (training.State != "succeeded")
        {
            throw new InvalidOperationException($"The training ended {training.State}: {training.Error}");
        }

        // 4. A piece from the trained model, kept by the service as a generation (same request and seed, same piece);
        //    its views render that piece without sampling again. (POST /generate answers the MIDI file in one call.)
        GenerationSummary generation = (await client.Api.Generations.PostAsync(
            new GenerateRequest { ModelId = training.ModelId, Steps = 200, Seed = 42 }, cancellationToken: cancellationToken))!;
        Directory.CreateDirectory(outputFolder);
        string midiPath = Path.Combine(outputFolder, "piece.mid");
        await using (Stream midi = (await client.Api.Generations[generation.Id!.Value].Midi.GetAsync(cancellationToken: cancellationToken))!)
        await using (FileStream file = File.Create(midiPath))
        {
            await midi.CopyToAsync(file, cancellationToken);
        }

        // 5. The same piece as a piano-roll image.
        string pngPath = Path.Combine(outputFolder, "piece.png");
        await using (Stream png = (await client.Api.Generations[generation.Id!.Value].Png.GetAsync(cancellationToken: cancellationToken))!)
        await using (FileStream file = File.Create(pngPath))
        {
            await png.CopyToAsync(file, cancellationToken);
        }
        // </quick-start>
        return new Outcome(corpus.Id!.Value, training.Id!.Value, training.ModelId!.Value, midiPath, pngPath);
    }
}
