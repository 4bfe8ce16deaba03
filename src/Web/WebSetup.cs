using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace RnnRbm.Web;

/// <summary>The browser UI at <c>/</c>: Razor Pages that draw the page, and JS modules that talk to the public API.</summary>
public static class WebSetup
{
    /// <summary>Where this library's static assets are served from.</summary>
    public const string AssetsPath = "/_content/RnnRbm.Web";

    public static WebApplicationBuilder AddRnnRbmWeb(this WebApplicationBuilder builder)
    {
        // From a build folder (scripts/start.sh runs one, in Production) the library's wwwroot is found through the
        // static web assets manifest; only Development does that by default. A published app has the files copied.
        builder.WebHost.UseStaticWebAssets();
        builder.Services.AddRazorPages();
        return builder;
    }

    public static WebApplication MapRnnRbmWeb(this WebApplication app)
    {
        app.MapStaticAssets();
        // The pages are shells that read and write through the API, so they answer GET and HEAD only. That also
        // keeps a page and an API endpoint on the same path (/generate) apart: a POST is always the API's.
        app.MapRazorPages().Add(endpoint => endpoint.Metadata.Add(new HttpMethodMetadata([HttpMethods.Get, HttpMethods.Head])));
        return app;
    }
}
