namespace PagesApp;

/// <summary>A Razor Pages app whose layout renders the trace meta tags.</summary>
public class Program
{
    public static void Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddTracing();
        builder.Services.AddRazorPages();

        var app = builder.Build();

        // As the webapp template serves wwwroot: static-asset endpoints; or, with StaticFilesMiddleware, the
        // middleware before routing.
        if (app.Configuration.GetValue<bool>("StaticFilesMiddleware"))
        {
            app.UseStaticFiles();
        }

        app.MapStaticAssets();
        app.MapRazorPages().WithStaticAssets();
        app.MapGet("/plain", (HttpContext context) => Results.Content(
            "<!doctype html><html><head>" + TraceMiddleware.AspNetCore.TraceMetaTags.Render(context) + "</head><body>plain</body></html>",
            "text/html"));
        app.Run();
    }
}
