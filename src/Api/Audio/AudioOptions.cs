using System.ComponentModel.DataAnnotations;

namespace RnnRbm.Api.Audio;

/// <summary>
/// Settings of the audio preview (section <c>RnnRbm:Audio</c>). The executables are looked up on PATH unless given
/// as absolute paths; a missing one is not an error at start: the preview is optional and says why it is off.
/// </summary>
public sealed class AudioOptions
{
    public const string Section = "RnnRbm:Audio";

    /// <summary>The FluidSynth synthesiser (Debian package fluidsynth).</summary>
    [Required]
    public string FluidSynthPath { get; set; } = "fluidsynth";

    /// <summary>The Opus encoder (Debian package opus-tools); without it the preview is WAV.</summary>
    [Required]
    public string OpusEncPath { get; set; } = "opusenc";

    /// <summary>The General MIDI soundfont (Debian package timgm6mb-soundfont).</summary>
    [Required]
    public string SoundFont { get; set; } = "/usr/share/sounds/sf2/TimGM6mb.sf2";

    /// <summary>Largest MIDI file accepted, in bytes (a generated piece of 10000 steps is far below it).</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxMidiBytes { get; set; } = 1024 * 1024;

    /// <summary>Longest audio rendered, in seconds: a longer piece is refused while it renders (the WAV stops growing there).</summary>
    [Range(1, 3600)]
    public int MaxAudioSeconds { get; set; } = 600;

    /// <summary>How long synthesis and encoding may take together before they are stopped.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Renders at once in this process; beyond it, 429 with Retry-After.</summary>
    [Range(1, 64)]
    public int Concurrency { get; set; } = Math.Max(1, Environment.ProcessorCount / 2);

    /// <summary>Opus bitrate in kbit/s.</summary>
    [Range(6, 256)]
    public int OpusBitrate { get; set; } = 48;
}
