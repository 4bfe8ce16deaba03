using Microsoft.Extensions.Logging;

namespace RnnRbm.TestKit;

/// <summary>
/// A logger provider that keeps what the app logs, after the app's own level rules (so a test sees what an operator
/// would at the default level). <see cref="RnnRbmAppFactory"/> adds one to every app.
/// </summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly Lock _gate = new();
    private readonly List<LogLine> _lines = [];

    /// <summary>Everything logged so far, in order.</summary>
    public IReadOnlyList<LogLine> Lines
    {
        get
        {
            lock (_gate)
            {
                return [.. _lines];
            }
        }
    }

    /// <summary>The lines logged after the first <paramref name="count"/> (e.g. after a mark taken with <c>Lines.Count</c>).</summary>
    public IReadOnlyList<LogLine> Since(int count) => [.. Lines.Skip(count)];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (owner._gate)
            {
                owner._lines.Add(new LogLine(category, logLevel, formatter(state, exception)));
            }
        }
    }
}

/// <summary>One captured log entry.</summary>
public sealed record LogLine(string Category, LogLevel Level, string Message)
{
    public override string ToString() => $"{Level} {Category}: {Message}";
}
