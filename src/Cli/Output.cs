using System.Text.Json;
using Spectre.Console;

namespace RnnRbm.Cli;

/// <summary>
/// Where a command's results go: readable lines (with progress bars on long work) for a person, or with
/// <c>--json</c> one JSON object per line for a program. Errors always go to standard error.
/// </summary>
internal sealed class Output(bool json)
{
    private static readonly JsonSerializerOptions JsonLines = new(JsonSerializerDefaults.Web);

    public bool Json { get; } = json;

    /// <summary>A result: as a JSON line, or as the given human text.</summary>
    public void Result(object record, string text)
    {
        if (Json)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(record, record.GetType(), JsonLines));
        }
        else
        {
            Console.Out.WriteLine(text);
        }
    }

    /// <summary>A remark for a person; in JSON mode a <c>{"event":"info"}</c> line so that the stream stays parseable.</summary>
    public void Info(string text)
    {
        if (Json)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(new { @event = "info", message = text }, JsonLines));
        }
        else
        {
            Console.Out.WriteLine(text);
        }
    }

    public static void Error(string text) => Console.Error.WriteLine("error: " + text);

    /// <summary>Runs <paramref name="work"/> under a progress bar (not in JSON mode, nor when output is redirected).</summary>
    public T WithProgress<T>(string label, Func<Action<double>, T> work)
    {
        if (Json || Console.IsOutputRedirected)
        {
            return work(_ => { });
        }
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                ProgressTask task = context.AddTask(Markup.Escape(label), maxValue: 1.0);
                result = work(fraction => task.Value = Math.Clamp(fraction, 0, 1));
                task.Value = 1.0;
            });
        return result;
    }
}
