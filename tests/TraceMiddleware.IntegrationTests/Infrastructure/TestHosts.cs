using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TraceMiddleware.Configuration;
using TraceMiddleware.DependencyInjection;
using TraceMiddleware.Testing;

namespace TraceMiddleware.IntegrationTests.Infrastructure;

/// <summary>Builds the test apps with per-test settings.</summary>
public static class TestHosts
{
    public static WebApplicationFactory<MinimalApp.Program> Minimal(Dictionary<string, string?>? settings = null, Action<TracingOptions>? configure = null) =>
        Configure(new WebApplicationFactory<MinimalApp.Program>(), settings, configure);

    public static WebApplicationFactory<PagesApp.Program> Pages(Dictionary<string, string?>? settings = null, Action<TracingOptions>? configure = null) =>
        Configure(new WebApplicationFactory<PagesApp.Program>(), settings, configure);

    private static WebApplicationFactory<T> Configure<T>(WebApplicationFactory<T> factory, Dictionary<string, string?>? settings, Action<TracingOptions>? configure)
        where T : class
    {
        SpanCollector.EnsureStarted();
        return factory.WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Production");
            foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            {
                builder.UseSetting(key, value);
            }

            builder.ConfigureLogging(l => l.ClearProviders());
            if (configure is not null)
            {
                builder.ConfigureServices(s => s.AddTracing(configure));
            }
        });
    }
}
