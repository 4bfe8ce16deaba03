using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace RnnRbm.Api.Tests;

/// <summary>
/// docs/openapi.json is the service's OpenAPI document as checked in: the clients (src/Client, the contract tests) are
/// generated from it at build time and Spectral lints it, so it must be what the service serves (issue 12). The copy is
/// what the test host produces (its server entry is http://localhost); <see cref="RefreshCommand"/> rewrites it.
/// </summary>
public class OpenApiDocumentTests
{
    /// <summary>Set to 1 to write the served document to docs/openapi.json instead of comparing.</summary>
    public const string UpdateVariable = "RNNRBM_UPDATE_OPENAPI";

    public const string RefreshCommand = "scripts/update-openapi.sh";

    private static readonly JsonSerializerOptions Stable = new()
    {
        WriteIndented = true,
        IndentSize = 2,
        NewLine = "\n",
        // Keep the document's non-ASCII text (≤, ², —) readable in the diff rather than \u-escaped.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    [Fact]
    public async Task CheckedInCopy_IsWhatTheServiceServes()
    {
        string served = await ServedDocumentAsync();
        string path = TestEnvironment.RepositoryPath("docs", "openapi.json");

        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            await File.WriteAllTextAsync(path, served, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            return;
        }

        Assert.True(File.Exists(path), $"docs/openapi.json is missing: run {RefreshCommand} to write it.");
        string checkedIn = Normalise(await File.ReadAllTextAsync(path));
        if (checkedIn != served)
        {
            Assert.Fail($"docs/openapi.json differs from the document the service serves (first difference at line {FirstDifferentLine(checkedIn, served)}). " +
                $"If the change to the API is intended, run {RefreshCommand}, review the diff and commit it: the clients are generated from that copy.");
        }
    }

    [Fact]
    public void Normalise_IgnoresFormatting_ButKeepsOrderAndText()
    {
        string a = Normalise("{\"b\":1,\r\n \"a\":{\"x\":\"≤ 2\"}}");
        string b = Normalise("{\n    \"b\": 1,\n    \"a\": { \"x\": \"\\u2264 2\" }\n}\n");

        Assert.Equal(a, b);
        Assert.Equal("{\n  \"b\": 1,\n  \"a\": {\n    \"x\": \"≤ 2\"\n  }\n}\n", a);
        Assert.NotEqual(a, Normalise("{\"a\":{\"x\":\"≤ 2\"},\"b\":1}"));
    }

    /// <summary>One formatting for every copy: two-space indent, LF, readable text, a final newline. Key order is kept (it is the document's).</summary>
    internal static string Normalise(string json) => JsonNode.Parse(json)!.ToJsonString(Stable) + "\n";

    private static async Task<string> ServedDocumentAsync()
    {
        using var app = new RnnRbmAppFactory();
        using HttpClient client = app.CreateClient();
        using HttpResponseMessage response = await client.GetAsync(new Uri("/swagger/v1/swagger.json", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return Normalise(await response.Content.ReadAsStringAsync());
    }

    private static int FirstDifferentLine(string a, string b)
    {
        string[] left = a.Split('\n'), right = b.Split('\n');
        int line = 0;
        while (line < left.Length && line < right.Length && left[line] == right[line])
        {
            line++;
        }
        return line + 1;
    }
}
