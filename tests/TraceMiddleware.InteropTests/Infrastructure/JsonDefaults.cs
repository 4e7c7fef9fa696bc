using System.Text.Json;

namespace TraceMiddleware.InteropTests.Infrastructure;

public static class JsonDefaults
{
    public static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);
}
