using RnnRbm.Core.Midi;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Core.Tests.Midi;

/// <summary>
/// The reliability suite's MIDI part (docs/reliability.md): seeded mutants of real and hand-made files through the
/// reader with its pre-check. Each either reads or fails with <see cref="InvalidMidiException"/> (the one documented
/// failure); no other exception, and bounded work, measured as the bytes each read allocates (deterministic, unlike
/// time), against a bound linear in the file's size plus the largest roll the limits allow.
/// </summary>
public class MidiMutantTests
{
    private const int Mutants = 10_000;
    private const int Seed = 13;

    // The largest roll the default limits allow (100,000 steps × 88 keys, one byte each), and a generous multiple of
    // the input for the canonical copy and the parser's events; a read beyond it has lost its bound.
    private const long RollBytes = 100_000L * 88;

    [Fact]
    public void TenThousandSeededMutants_ReadOrFailWithInvalidMidi_WithBoundedAllocation()
    {
        byte[][] originals = [.. Originals()];
        var mutants = new TestKit.Mutants(Seed);
        var grids = new TimeGrid[] { TimeGrid.Eighths, new TimeGrid.Beats(4), new TimeGrid.Seconds(0.3) };
        int read = 0;
        int refused = 0;
        long worstExcess = long.MinValue;
        var reasons = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < Mutants; i++)
        {
            byte[] original = originals[mutants.Pick(originals.Length)];
            byte[] mutant = mutants.Next(original);
            var options = new MidiReadOptions { Grid = grids[i % grids.Length], IncludeDrums = i % 2 == 0 };
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                MidiReader.Read(mutant, options);
                read++;
            }
            catch (InvalidMidiException ex)
            {
                refused++;
                string kind = ex.Reason.Split(':')[0];
                reasons[kind] = reasons.GetValueOrDefault(kind) + 1;
            }
            catch (Exception ex)
            {
                Assert.Fail($"mutant {i} (seed {Seed}, {mutant.Length} bytes: {Convert.ToHexString(mutant.AsSpan(0, Math.Min(64, mutant.Length)))}...) threw {ex.GetType().Name}: {ex.Message}");
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            long bound = (64L * mutant.Length) + (2 * RollBytes) + (1 << 20);
            worstExcess = Math.Max(worstExcess, allocated - bound);
            Assert.True(allocated <= bound, $"mutant {i} (seed {Seed}, {mutant.Length} bytes) allocated {allocated} bytes, above its bound of {bound}");
        }

        Assert.Equal(Mutants, read + refused);
        // The mutants must reach both outcomes and many different refusals, or they test nothing.
        Assert.True(read > Mutants / 20, $"only {read} mutants were still readable");
        Assert.True(refused > Mutants / 4, $"only {refused} mutants were refused");
        Assert.True(reasons.Count >= 10, $"only {reasons.Count} kinds of refusal: {string.Join(", ", reasons.Keys)}");
    }

    /// <summary>Real files of both corpora and every kind of event the pre-check walks: the mutants' starting points.</summary>
    private static IEnumerable<byte[]> Originals()
    {
        foreach (string path in Directory.GetFiles(RepositoryPaths.Dataset("demo"), "*.mid").Order(StringComparer.Ordinal).Take(4))
        {
            yield return File.ReadAllBytes(path);
        }
        yield return File.ReadAllBytes(RepositoryPaths.Dataset("piano-midi", "train", "piano-midi_train_000.mid"));
        yield return MidiBytes.WithHeader(1, 2, 96)
            .Track(t => t.Tempo(0, 500_000).TimeSignature(0, 3, 2).Delta(0).Raw(0xFF, 0x03, 4, (byte)'t', (byte)'u', (byte)'n', (byte)'e').EndOfTrack(0))
            .Track(t => t.NoteOn(0, 1, 60).Delta(0).Raw(64, 80).NoteOff(96, 1, 60).Delta(0).Raw(0xF0, 2, 0x43, 0xF7)
                .Delta(0).Raw(0xB0, 7, 100).Delta(0).Raw(0xC0, 5).Delta(0).Raw(0xE0, 0, 64).NoteOn(10, 10, 36).NoteOff(10, 10, 36).EndOfTrack(0))
            .ToArray();
        yield return MidiBytes.RiffWrap(MidiBytes.Format0(t => t.NoteOn(0, 1, 72).NoteOff(480, 1, 72).EndOfTrack(0)).ToArray());
    }
}
