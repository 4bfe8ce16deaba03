namespace RnnRbm.ScaleOut.Tests;

/// <summary>
/// A test that needs the PostgreSQL server named by <see cref="TestDatabase.ServerVariable"/> (scripts/test.sh
/// starts one). Skipped on a developer machine without it; in CI (CI=true) it runs and fails, so that a missing
/// server never passes silently.
/// </summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(TestDatabase.ServerVariable)) && !TestEnvironment.IsCi)
        {
            Skip = $"No PostgreSQL: set {TestDatabase.ServerVariable} (e.g. Host=127.0.0.1;Port=55434;Username=postgres) or run scripts/test.sh.";
        }
    }
}
