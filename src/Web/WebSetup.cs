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
        builder.Services.Configure<RouteOptions>(o => o.ConstraintMap[PagePath.ConstraintName] = typeof(PagePath));
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

/// <summary>
/// The route constraint of the not-found page (Pages/NotFound.cshtml, a catch-all that every other route outranks): a
/// browser that navigates to an unknown page gets the app's own 404 page (header, a way home), while the API's paths,
/// the hub, the dashboards and non-browser clients keep their answers (ProblemDetails for /api). So it matches a path
/// that could be a page's, asked for by a browser: not under the service's own prefixes (the API, the hub, the
/// dashboards, the docs, health), and a request that accepts HTML.
/// </summary>
internal sealed class PagePath : IRouteConstraint
{
    public const string ConstraintName = "pagepath";

    private static readonly string[] ServicePrefixes = ["/api", "/hubs", "/hangfire", "/swagger", "/healthz", "/_content", "/_framework"];

    public bool Match(HttpContext? httpContext, IRouter? route, string routeKey, RouteValueDictionary values, RouteDirection routeDirection)
    {
        if (httpContext is null)
        {
            return false;
        }
        PathString path = httpContext.Request.Path;
        if (ServicePrefixes.Any(prefix => path.StartsWithSegments(prefix, StringComparison.OrdinalIgnoreCase)))
        {
            return false;
        }
        string accept = httpContext.Request.Headers.Accept.ToString();
        return accept.Contains("text/html", StringComparison.OrdinalIgnoreCase);
    }
}
