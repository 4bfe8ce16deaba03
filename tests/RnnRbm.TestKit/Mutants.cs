using System.Buffers.Binary;

namespace RnnRbm.TestKit;

/// <summary>
/// Seeded mutants of a file's bytes for the reliability suites (docs/reliability.md): the same seed, the same mutants,
/// on every machine. Each mutant applies one to four edits chosen from those that break parsers: flipped bits,
/// interesting values (0, 0x7F, 0x80, 0xFF), a big-endian or little-endian length field overwritten with an extreme,
/// bytes inserted, deleted or duplicated, a truncation, and a run of one byte (as a zip bomb's zeros).
/// </summary>
public sealed class Mutants(int seed)
{
    private static readonly byte[] Interesting = [0x00, 0x01, 0x7F, 0x80, 0x81, 0xFE, 0xFF];
    private static readonly uint[] Lengths = [0, 1, 5, 6, 0x7F, 0x80, 0xFFFF, 0x10000, 0x0FFFFFFF, 0x7FFFFFFF, 0xFFFFFFFF];

    private readonly Random _random = new(seed);

    /// <summary>A mutant of <paramref name="original"/> (never the same array).</summary>
    public byte[] Next(ReadOnlySpan<byte> original)
    {
        var bytes = new List<byte>(original.ToArray());
        int edits = 1 + _random.Next(4);
        for (int e = 0; e < edits; e++)
        {
            Edit(bytes);
        }
        return [.. bytes];
    }

    /// <summary>A whole number in [0, <paramref name="below"/>), from the same stream.</summary>
    public int Pick(int below) => _random.Next(below);

    private void Edit(List<byte> bytes)
    {
        int at = bytes.Count == 0 ? 0 : _random.Next(bytes.Count);
        switch (_random.Next(9))
        {
            case 0 when bytes.Count > 0:
                bytes[at] ^= (byte)(1 << _random.Next(8));
                break;
            case 1 when bytes.Count > 0:
                bytes[at] = Interesting[_random.Next(Interesting.Length)];
                break;
            case 2 when bytes.Count >= 4:
            {
                // A length field: big-endian as MIDI writes them, or little-endian as zip does.
                at = Math.Min(at, bytes.Count - 4);
                Span<byte> field = stackalloc byte[4];
                uint value = Lengths[_random.Next(Lengths.Length)];
                if (_random.Next(2) == 0)
                {
                    BinaryPrimitives.WriteUInt32BigEndian(field, value);
                }
                else
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(field, value);
                }
                for (int i = 0; i < 4; i++)
                {
                    bytes[at + i] = field[i];
                }
                break;
            }
            case 3:
                bytes.InsertRange(at, Enumerable.Range(0, 1 + _random.Next(16)).Select(_ => (byte)_random.Next(256)));
                break;
            case 4 when bytes.Count > 0:
                bytes.RemoveRange(at, Math.Min(bytes.Count - at, 1 + _random.Next(32)));
                break;
            case 5 when bytes.Count > 0:
            {
                int length = Math.Min(bytes.Count - at, 1 + _random.Next(64));
                bytes.InsertRange(_random.Next(bytes.Count), bytes.GetRange(at, length));
                break;
            }
            case 6 when bytes.Count > 0:
                bytes.RemoveRange(at, bytes.Count - at);
                break;
            case 7:
                bytes.InsertRange(at, Enumerable.Repeat(Interesting[_random.Next(Interesting.Length)], 1 + _random.Next(4096)));
                break;
            default:
                if (bytes.Count > 0)
                {
                    bytes[at] = (byte)_random.Next(256);
                }
                break;
        }
    }
}
