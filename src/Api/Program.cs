using RnnRbm.Api.Audio;
using RnnRbm.Api.Corpora;
using RnnRbm.Api.Evaluations;
using RnnRbm.Api.Generation;
using RnnRbm.Api.Health;
using RnnRbm.Api.Hosting;
using RnnRbm.Api.Jobs;
using RnnRbm.Api.Models;
using RnnRbm.Api.Progress;
using RnnRbm.Api.Searches;
using RnnRbm.Api.Storage;
using RnnRbm.Api.Training;
using RnnRbm.Web;

var builder = WebApplication.CreateBuilder(args);
builder.AddRnnRbmOptions();
builder.AddRnnRbmLogging();
builder.AddApiErrors();
builder.AddRnnRbmStorage();
builder.AddNumerics();
builder.AddCorpora();
builder.AddBackgroundWork<TrainingEntity, TrainingRun>(TrainingRun.Kind);
builder.AddBackgroundWork<EvaluationEntity, EvaluationRun>(EvaluationRun.Kind);
builder.AddBackgroundWork<SearchTrialEntity, SearchTrialRun>(SearchTrialRun.Kind);
builder.AddBackgroundWork<SearchEntity, SearchRun>(SearchRun.Kind, WorkLoad.Coordination);
builder.AddModels();
builder.AddGeneration();
builder.AddHealth();
builder.AddApiDocs();
builder.AddRnnRbmWeb();
builder.AddProgressHub();
builder.AddAudio();

var app = builder.Build();
app.UseRequestLog();
app.UseApiErrors();
app.MapHealth();
// RnnRbm:Role (docs/deployment.md): a worker trains and answers health checks only; web and all serve the rest.
// Background work runs where RnnRbm:Workers > 0 (a web node has none); recovery runs on every node.
if (NodeRoles.ServesApi(NodeRoles.Of(builder.Configuration)))
{
    app.UseApiKeyForReads();
    app.UseApiDocs();
    app.MapCorpora();
    app.MapTrainings();
    app.MapEvaluations();
    app.MapSearches();
    app.MapModels();
    app.MapGeneration();
    app.MapJobsDashboard();
    app.MapRnnRbmWeb();
    app.MapProgressHub();
    app.MapAudio();
}
app.Run();

/// <summary>The entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
