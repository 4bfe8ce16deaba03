using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;

namespace RnnRbm.Api.Hosting;

/// <summary>Every 4xx/5xx is application/problem+json that says what was wrong; never a stack trace.</summary>
public static class ErrorHandling
{
    public static WebApplicationBuilder AddApiErrors(this WebApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
        {
            context.ProblemDetails.Instance ??= context.HttpContext.Request.Path;
            if (context.HttpContext.Features.Get<IExceptionHandlerFeature>()?.Error is BadHttpRequestException bad)
            {
                // Kestrel's own refusals (body too large, malformed form): say so, with their status.
                // A form past its length limit (the multipart reader's, which the form binder wraps in a 400) is the
                // same refusal as Kestrel's body limit: 413, naming the setting.
                bool tooLarge = bad.StatusCode == StatusCodes.Status413PayloadTooLarge
                    || (bad.InnerException is InvalidDataException inner && inner.Message.Contains("length limit", StringComparison.OrdinalIgnoreCase));
                int status = tooLarge ? StatusCodes.Status413PayloadTooLarge : bad.StatusCode;
                context.ProblemDetails.Status = status;
                context.HttpContext.Response.StatusCode = status;
                context.ProblemDetails.Title = tooLarge ? "The request body is too large." : "The request could not be read.";
                context.ProblemDetails.Detail = tooLarge
                    ? $"{bad.InnerException?.Message ?? bad.Message} A request may hold at most RnnRbm:MaxRequestBytes bytes: split the upload."
                    : bad.InnerException is InvalidDataException reason ? $"{bad.Message} {reason.Message}" : bad.Message;
            }
        });
        return builder;
    }

    public static WebApplication UseApiErrors(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }

    /// <summary>A 400 listing each bad field.</summary>
    public static ValidationProblem Invalid(Dictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, title: "The request has invalid fields.");

    /// <summary>A 400 for one bad field.</summary>
    public static ValidationProblem Invalid(string field, string message) =>
        Invalid(new Dictionary<string, string[]> { [field] = [message] });

    /// <summary>A 404 naming what was not found.</summary>
    public static ProblemHttpResult NotFound(string what, Guid id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: $"{what} not found.", detail: $"No {what.ToLowerInvariant()} has id {id}.");
}
