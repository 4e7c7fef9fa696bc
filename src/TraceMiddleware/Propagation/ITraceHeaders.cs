using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace TraceMiddleware.Propagation;

/// <summary>Where <see cref="IncomingTrace"/> reads the trace headers from, one header at a time and only those it needs.</summary>
internal interface ITraceHeaders
{
    /// <summary>The values of the header <paramref name="name"/> (lower case); empty when absent.</summary>
    StringValues Get(string name);
}

/// <summary>An HTTP request's headers.</summary>
internal readonly struct RequestTraceHeaders(IHeaderDictionary headers) : ITraceHeaders
{
    public StringValues Get(string name) => headers[name];
}

/// <summary>Headers reached through a callback (a message's properties, say): null is absent.</summary>
internal readonly struct CallbackTraceHeaders(Func<string, string?> getHeader) : ITraceHeaders
{
    public StringValues Get(string name) => getHeader(name) is { } value ? new StringValues(value) : StringValues.Empty;
}

/// <summary>Headers reached through a <see cref="System.Diagnostics.DistributedContextPropagator"/>'s getter.</summary>
internal readonly struct GetterTraceHeaders(object? carrier, System.Diagnostics.DistributedContextPropagator.PropagatorGetterCallback? getter) : ITraceHeaders
{
    public StringValues Get(string name)
    {
        if (getter is null)
        {
            return StringValues.Empty;
        }

        getter(carrier, name, out var value, out var values);
        return values is not null ? new StringValues([.. values]) : value is not null ? new StringValues(value) : StringValues.Empty;
    }
}
