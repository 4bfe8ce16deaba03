using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using RnnRbm.Core.Midi;
using RnnRbm.Core.PianoRolls;
using RnnRbm.Core.Rendering;

namespace RnnRbm.Api.Generation;

/// <summary>
/// A served piece as the history keeps it, and its views. The piece is its json view (<see cref="GenerationJson"/>:
/// the notes with the grid, range, tempo and program needed to render it), gzip-compressed in the generation's row;
/// MIDI and PNG are rendered from it, so POST /generate and GET /api/generations/{id}/midi give the same bytes.
/// </summary>
internal static class StoredPiece
{
    public static byte[] Pack(GenerationJson piece)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            JsonSerializer.Serialize(gzip, piece, GenerateEndpoint.HistoryJson);
        }
        return buffer.ToArray();
    }

    public static GenerationJson Unpack(byte[] packed)
    {
        using var gzip = new GZipStream(new MemoryStream(packed), CompressionMode.Decompress);
        return JsonSerializer.Deserialize<GenerationJson>(gzip, GenerateEndpoint.HistoryJson)
            ?? throw new InvalidDataException("A stored piece is empty.");
    }

    public static PianoRoll Roll(GenerationJson piece) =>
        PianoRoll.FromNoteLists(piece.Notes, new PitchRange(piece.PitchRange.Lowest, piece.PitchRange.End));

    public static TimeGrid Grid(TimeGridJson grid) => grid.Kind switch
    {
        "beats" => new TimeGrid.Beats(grid.StepsPerQuarter ?? throw new InvalidDataException("A beats grid without stepsPerQuarter.")),
        "seconds" => new TimeGrid.Seconds(grid.Seconds ?? throw new InvalidDataException("A seconds grid without seconds.")),
        _ => throw new InvalidDataException($"Unknown time grid '{grid.Kind}'."),
    };

    public static TimeGridJson ToJson(TimeGrid grid) => grid switch
    {
        TimeGrid.Seconds s => new TimeGridJson("seconds", s.StepSeconds, null),
        TimeGrid.Beats b => new TimeGridJson("beats", null, b.StepsPerQuarter),
        _ => throw new InvalidOperationException("Unknown time grid."),
    };

    public static byte[] Midi(GenerationJson piece) => MidiWriter.Write(Roll(piece),
        new MidiWriteOptions { Grid = Grid(piece.TimeGrid), TempoBpm = piece.Tempo, Program = piece.Program });

    public static byte[] Png(GenerationJson piece) => PianoRollImage.RenderPng(Roll(piece), Grid(piece.TimeGrid),
        new PianoRollImageOptions { Title = $"generated piano-roll (seed {piece.Seed.ToString(CultureInfo.InvariantCulture)})" });

    /// <summary>A zip of several pieces' MIDI files (or PNG images), one entry per piece in order, named by index and seed.</summary>
    public static byte[] Zip(IReadOnlyList<GenerationJson> pieces, bool png)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            for (int i = 0; i < pieces.Count; i++)
            {
                string name = $"rnnrbm-{i + 1}-seed-{pieces[i].Seed.ToString(CultureInfo.InvariantCulture)}.{(png ? "png" : "mid")}";
                using Stream entry = zip.CreateEntry(name, CompressionLevel.Fastest).Open();
                entry.Write(png ? Png(pieces[i]) : Midi(pieces[i]));
            }
        }
        return buffer.ToArray();
    }

    public static string ZipFileName(IReadOnlyList<GenerationJson> pieces, bool png) =>
        $"rnnrbm-seed-{pieces[0].Seed.ToString(CultureInfo.InvariantCulture)}-{pieces.Count}-{(png ? "images" : "pieces")}.zip";

    public static string MidiFileName(GenerationJson piece) => $"rnnrbm-seed-{piece.Seed.ToString(CultureInfo.InvariantCulture)}.mid";
}
