using Microsoft.Kiota.Abstractions;
using RnnRbm.Client.Models;

namespace RnnRbm.Client;

/// <summary>
/// The walk-through of src/Client/README.md, as code that compiles against the generated client and that the contract
/// tests run (tests/RnnRbm.Client.Tests): upload MIDI files as a corpus, train a model on it, wait for the training,
/// then save a generated piece (MIDI) and the training's learning curve (PNG).
/// </summary>
public static class RnnRbmQuickStart
{
    /// <summary>What the walk-through made and wrote.</summary>
    public sealed record Outcome(Guid CorpusId, Guid TrainingId, Guid ModelId, string MidiPath, string PngPath);

    /// <summary>
    /// Runs the walk-through on <paramref name="client"/>: <paramref name="midiFiles"/> become a corpus, a training of
    /// <paramref name="epochs"/> epochs makes a model, and piece.mid and curve.png land in <paramref name="outputFolder"/>.
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

        // 2. A training, run by the service in the background. A new StartTrainingRequest holds the document's defaults
        //    (the default recipe's values), dt and stepsPerQuarter both: keep one step size.
        TrainingResponse training = (await client.Api.Trainings.PostAsync(new StartTrainingRequest
        {
            CorpusId = corpus.Id,
            Dt = null,
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

        // 4. A piece from the trained model, as a MIDI file (same request and seed, same bytes).
        Directory.CreateDirectory(outputFolder);
        string midiPath = Path.Combine(outputFolder, "piece.mid");
        await using (Stream midi = (await client.Generate.PostAsync(new GenerateRequest { ModelId = training.ModelId, Steps = 200, Seed = 42 },
            cancellationToken: cancellationToken))!)
        await using (FileStream file = File.Create(midiPath))
        {
            await midi.CopyToAsync(file, cancellationToken);
        }

        // 5. A PNG: the training's learning curve.
        string pngPath = Path.Combine(outputFolder, "curve.png");
        await using (Stream png = (await client.Api.Trainings[training.Id!.Value].CurvePng.GetAsync(cancellationToken: cancellationToken))!)
        await using (FileStream file = File.Create(pngPath))
        {
            await png.CopyToAsync(file, cancellationToken);
        }
        // </quick-start>
        return new Outcome(corpus.Id!.Value, training.Id!.Value, training.ModelId!.Value, midiPath, pngPath);
    }
}
