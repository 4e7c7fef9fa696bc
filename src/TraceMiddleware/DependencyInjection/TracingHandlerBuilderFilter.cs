using System.Diagnostics;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;
using TraceMiddleware.Configuration;
using TraceMiddleware.Http;
using TraceMiddleware.Tracing;

namespace TraceMiddleware.DependencyInjection;

/// <summary>
/// Equips every <c>IHttpClientFactory</c> client. Where its primary handler is a <see cref="SocketsHttpHandler"/>,
/// .NET's own DiagnosticsHandler asks this host's propagator on every hop (and makes the <c>http.client</c> span);
/// the library's handler, outermost, then only makes sure a call outside any span carries a trace. Where .NET asks no
/// propagator of ours, the library follows the client's redirects itself and decides the headers on every hop just
/// before the primary handler; where it cannot (a primary handler it does not know, which may follow redirects no one
/// sees), the client sends no trace header, and that is logged once.
/// </summary>
internal sealed class TracingHandlerBuilderFilter : IHttpMessageHandlerBuilderFilter
{
    private const string PropagationSwitch = "System.Net.Http.EnableActivityPropagation";
    private const string PropagationVariable = "DOTNET_SYSTEM_NET_HTTP_ENABLEACTIVITYPROPAGATION";

    private readonly TracingRuntime _runtime;
    private readonly TracePropagator _propagator;
    private readonly bool _enabled;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _withheldLogged = new(StringComparer.Ordinal);

    public TracingHandlerBuilderFilter(TracingRuntime runtime, TracePropagator propagator, IOptions<TracingOptions> options)
    {
        _runtime = runtime;
        _propagator = propagator;
        _enabled = options.Value.InstrumentAllHttpClients;
    }

    /// <summary>Whether .NET puts its DiagnosticsHandler in handler chains at all (on unless switched off), read as .NET reads it.</summary>
    internal static bool ActivityPropagationEnabled { get; } = ReadActivityPropagationSwitch();

    public Action<HttpMessageHandlerBuilder> Configure(Action<HttpMessageHandlerBuilder> next) => builder =>
    {
        next(builder);
        var handler = FindTraceHandler(builder.AdditionalHandlers);
        if (handler is null && !_enabled)
        {
            return;
        }

        if (handler is null)
        {
            handler = new TracePropagationHandler(_runtime);
            builder.AdditionalHandlers.Insert(0, handler);
        }

        TracePropagator.EnsureInstalled(_runtime.Logger);
        var primary = builder.PrimaryHandler;
        if (HoldPrimaryHandler(primary))
        {
            handler.HopsVisible = true;
        }
        else if (TakeOverRedirects(primary, out var redirects))
        {
            handler.RedirectsToFollow = redirects;
            builder.AdditionalHandlers.Add(new TraceHeaderGuardHandler(_runtime));
        }
        else
        {
            // Handler chains are rebuilt every couple of minutes: said once per client.
            handler.Withholds = true;
            var client = builder.Name ?? "(default)";
            if (_withheldLogged.TryAdd(client, true))
            {
                TracingLog.ClientWithheld(_runtime.Logger, client, primary.GetType().FullName ?? primary.GetType().Name);
            }
        }
    };

    internal static TracePropagationHandler? FindTraceHandler(IList<DelegatingHandler> handlers)
    {
        for (var i = 0; i < handlers.Count; i++)
        {
            if (handlers[i] is TracePropagationHandler handler)
            {
                return handler;
            }
        }

        return null;
    }

    /// <summary>
    /// Gives the client's own <see cref="SocketsHttpHandler"/> this host's propagator and says whether .NET will ask a
    /// propagator of ours on every hop of its requests.
    /// </summary>
    private bool HoldPrimaryHandler(HttpMessageHandler primary)
    {
        if (!ActivityPropagationEnabled)
        {
            return false;
        }

        switch (primary)
        {
            case SocketsHttpHandler sockets:
                if (sockets.ActivityHeadersPropagator is null)
                {
                    return false;
                }

                if (!ReferenceEquals(sockets.ActivityHeadersPropagator, _propagator))
                {
                    try
                    {
                        sockets.ActivityHeadersPropagator = _propagator;
                    }
                    catch (InvalidOperationException)
                    {
                        // A handler shared between clients and already used: it keeps what it has.
                        return sockets.ActivityHeadersPropagator is TracePropagator;
                    }
                }

                return true;

            case HttpClientHandler:
                // It built its SocketsHttpHandler with the process-wide propagator of the moment: ours, unless the
                // app replaced it since.
                return DistributedContextPropagator.Current is TracePropagator;

            default:
                return false;
        }
    }

    /// <summary>
    /// Switches the primary handler's own redirect following off, so that the library follows them and every hop
    /// passes its header guard; <see langword="false"/> when the handler is not one whose redirects it can control.
    /// </summary>
    private static bool TakeOverRedirects(HttpMessageHandler primary, out int redirects)
    {
        redirects = 0;
        try
        {
            switch (primary)
            {
                case SocketsHttpHandler sockets:
                    if (sockets.AllowAutoRedirect)
                    {
                        redirects = sockets.MaxAutomaticRedirections;
                        sockets.AllowAutoRedirect = false;
                    }

                    return true;

                case HttpClientHandler client:
                    if (client.AllowAutoRedirect)
                    {
                        redirects = client.MaxAutomaticRedirections;
                        client.AllowAutoRedirect = false;
                    }

                    return true;

                default:
                    return false;
            }
        }
        catch (InvalidOperationException)
        {
            // Already used (a handler shared between clients): its redirects stay its own.
            return false;
        }
    }

    private static bool ReadActivityPropagationSwitch()
    {
        if (AppContext.TryGetSwitch(PropagationSwitch, out var enabled))
        {
            return enabled;
        }

        var variable = Environment.GetEnvironmentVariable(PropagationVariable);
        return !(string.Equals(variable, "false", StringComparison.OrdinalIgnoreCase) || variable == "0");
    }
}
