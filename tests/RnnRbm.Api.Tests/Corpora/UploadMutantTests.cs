using System.Net;

namespace RnnRbm.Api.Tests.Corpora;

/// <summary>
/// The reliability suite's upload part (docs/reliability.md): 1,000 seeded mutants of MIDI files and zips through
/// <c>POST /api/corpora</c>. Every answer is a 201 or a 4xx problem+json, never a 5xx.
/// </summary>
public class UploadMutantTests
{
    private const int Requests = 1000;
    private const int Clients = 4;
    private const int Seed = 13;

    [Fact]
    public async Task ThousandSeededMutantUploads_AreAnswered201Or4xxProblemJson_Never5xx()
    {
        // As many places as clients, so no answer is a 429: each mutant is judged on its bytes.
        using var app = new RnnRbmAppFactory(new Dictionary<string, string?> { ["RnnRbm:UploadConcurrency"] = Clients.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        (string Name, byte[] Bytes)[] demo = [.. Enumerable.Range(0, 3).Select(CorpusUploads.Demo)];
        byte[] zip = CorpusUploads.Zip(demo);
        byte[] splitZip = CorpusUploads.Zip(("train/" + demo[0].Name, demo[0].Bytes), ("valid/" + demo[1].Name, demo[1].Bytes), ("test/" + demo[2].Name, demo[2].Bytes));

        var outcomes = new Dictionary<HttpStatusCode, int>();
        var failures = new List<string>();
        await Task.WhenAll(Enumerable.Range(0, Clients).Select(async client =>
        {
            using HttpClient http = app.CreateClient();
            var mutants = new TestKit.Mutants(Seed + client);
            for (int i = client; i < Requests; i += Clients)
            {
                (string Name, byte[] Bytes)[] files = (i % 4) switch
                {
                    0 => [("m.mid", mutants.Next(demo[mutants.Pick(3)].Bytes))],
                    1 => [("m.zip", mutants.Next(zip))],
                    2 => [("m.zip", CorpusUploads.Zip(("in.mid", mutants.Next(demo[mutants.Pick(3)].Bytes)), demo[0]))],
                    _ => [("s.zip", mutants.Next(splitZip)), ("loose.mid", mutants.Next(demo[2].Bytes))],
                };
                using HttpResponseMessage response = await http.Upload($"mutant {i}", files);
                int status = (int)response.StatusCode;
                string? type = response.Content.Headers.ContentType?.MediaType;
                lock (outcomes)
                {
                    outcomes[response.StatusCode] = outcomes.GetValueOrDefault(response.StatusCode) + 1;
                    if (!(status == 201 || (status is >= 400 and < 500 and not 429 && type == "application/problem+json")))
                    {
                        failures.Add($"request {i} (client {client}, seed {Seed + client}): {status} {type} {response.Content.ReadAsStringAsync().Result}");
                    }
                }
            }
        }));

        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(5)));
        Assert.Equal(Requests, outcomes.Values.Sum());
        // Both outcomes must be reached, or the mutants test nothing.
        Assert.True(outcomes.GetValueOrDefault(HttpStatusCode.Created) > Requests / 10, string.Join(", ", outcomes));
        Assert.True(outcomes.GetValueOrDefault(HttpStatusCode.BadRequest) > Requests / 10, string.Join(", ", outcomes));
    }
}
