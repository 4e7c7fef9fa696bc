using System.Reflection;
using System.Reflection.Emit;
using TraceMiddleware.Tracing;

namespace TraceMiddleware.Tests.Architecture;

/// <summary>
/// The library's folders (one namespace each) depend on one another without a cycle: read from the compiled
/// assembly (signatures and method bodies), so that no reference, however it is written, escapes the check.
/// </summary>
public sealed class FolderDependencyTests
{
    private static readonly Dictionary<short, OperandType> s_operands = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value, o => o.OperandType);

    [Fact]
    public void Folders_DependOnEachOtherWithoutACycle()
    {
        // Arrange
        var graph = DependencyGraph(typeof(TracingRuntime).Assembly);

        // Act
        var cycle = FindCycle(graph);

        // Assert
        Assert.True(cycle is null, $"Folders depend on each other in a cycle: {string.Join(" -> ", cycle ?? [])}\n{Describe(graph)}");
    }

    [Fact]
    public void Folders_AreLayeredAsTheDesignSays()
    {
        // Arrange: lowest first; a folder may use only the folders before it.
        string[] layers = ["Sampling", "Propagation", "Transactions", "Configuration", "Tracing", "Http", "Export", "AspNetCore", "DependencyInjection"];
        var graph = DependencyGraph(typeof(TracingRuntime).Assembly);

        // Act
        var upward = graph
            .SelectMany(e => e.Value.Select(to => (From: e.Key, To: to)))
            .Where(e => Array.IndexOf(layers, e.To) > Array.IndexOf(layers, e.From))
            .ToList();

        // Assert
        Assert.All(graph.Keys, folder => Assert.Contains(folder, layers));
        Assert.True(upward.Count == 0, "References to a higher layer: " + string.Join(", ", upward.Select(e => $"{e.From} -> {e.To}")));
    }

    /// <summary>Which folder uses which, from every type's signatures and method bodies.</summary>
    private static Dictionary<string, HashSet<string>> DependencyGraph(Assembly assembly)
    {
        var graph = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var type in assembly.GetTypes())
        {
            var from = Folder(type);
            if (from is null)
            {
                continue;
            }

            if (!graph.TryGetValue(from, out var edges))
            {
                graph[from] = edges = new HashSet<string>(StringComparer.Ordinal);
            }

            foreach (var used in UsedTypes(type))
            {
                if (used.Assembly == assembly && Folder(used) is { } to && to != from)
                {
                    edges.Add(to);
                }
            }
        }

        return graph;
    }

    /// <summary>
    /// A type's folder: the namespace part after <c>TraceMiddleware.</c>. The extension methods a user calls live in
    /// Microsoft's namespaces, as ASP.NET Core's own do; they are the wiring, the top layer.
    /// </summary>
    private static string? Folder(Type type)
    {
        var outer = type;
        while (outer.DeclaringType is not null)
        {
            outer = outer.DeclaringType;
        }

        var ns = outer.Namespace;
        if (ns is null || ns.StartsWith("System", StringComparison.Ordinal))
        {
            return null;
        }

        if (ns.StartsWith("Microsoft.", StringComparison.Ordinal))
        {
            return "DependencyInjection";
        }

        var parts = ns.Split('.');
        return parts.Length > 1 && parts[0] == "TraceMiddleware" ? parts[1] : null;
    }

    private static IEnumerable<Type> UsedTypes(Type type)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var used = new List<Type>();
        if (type.BaseType is { } baseType)
        {
            used.Add(baseType);
        }

        used.AddRange(type.GetInterfaces());
        used.AddRange(type.GetFields(all).Select(f => f.FieldType));
        used.AddRange(type.GetProperties(all).Select(p => p.PropertyType));
        foreach (var method in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
        {
            if (method is MethodInfo info)
            {
                used.Add(info.ReturnType);
            }

            used.AddRange(method.GetParameters().Select(p => p.ParameterType));
            used.AddRange(BodyTypes(method));
        }

        return used.SelectMany(Unwrap);
    }

    /// <summary>The types a method body names: what it calls, creates, reads, writes, casts to.</summary>
    private static IEnumerable<Type> BodyTypes(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null)
        {
            yield break;
        }

        var module = method.Module;
        var typeArguments = method.DeclaringType?.IsGenericType == true ? method.DeclaringType.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (var i = 0; i < il.Length;)
        {
            short code = il[i] == 0xFE ? (short)(0xFE00 | il[i + 1]) : il[i];
            i += il[i] == 0xFE ? 2 : 1;
            var operand = s_operands[code];
            switch (operand)
            {
                case OperandType.InlineMethod:
                case OperandType.InlineField:
                case OperandType.InlineType:
                case OperandType.InlineTok:
                    var token = BitConverter.ToInt32(il, i);
                    if (Resolve(module, token, typeArguments, methodArguments) is { } type)
                    {
                        yield return type;
                    }

                    i += 4;
                    break;
                case OperandType.InlineSwitch:
                    i += 4 + (4 * BitConverter.ToInt32(il, i));
                    break;
                default:
                    i += OperandSize(operand);
                    break;
            }
        }
    }

    private static Type? Resolve(Module module, int token, Type[]? typeArguments, Type[]? methodArguments)
    {
        try
        {
            return module.ResolveMember(token, typeArguments, methodArguments) switch
            {
                Type t => t,
                MemberInfo m => m.DeclaringType,
                _ => null,
            };
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static int OperandSize(OperandType operand) => operand switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        _ => 4,
    };

    private static IEnumerable<Type> Unwrap(Type type)
    {
        if (type.HasElementType)
        {
            return Unwrap(type.GetElementType()!);
        }

        return type.IsGenericType && !type.IsGenericTypeDefinition
            ? type.GetGenericArguments().SelectMany(Unwrap).Append(type.GetGenericTypeDefinition())
            : [type];
    }

    private static List<string>? FindCycle(Dictionary<string, HashSet<string>> graph)
    {
        var state = new Dictionary<string, int>(StringComparer.Ordinal);
        var path = new List<string>();
        foreach (var start in graph.Keys)
        {
            if (Visit(start) is { } cycle)
            {
                return cycle;
            }
        }

        return null;

        List<string>? Visit(string node)
        {
            if (state.GetValueOrDefault(node) == 2)
            {
                return null;
            }

            if (state.GetValueOrDefault(node) == 1)
            {
                return [.. path[path.IndexOf(node)..], node];
            }

            state[node] = 1;
            path.Add(node);
            foreach (var next in graph.GetValueOrDefault(node) ?? [])
            {
                if (Visit(next) is { } cycle)
                {
                    return cycle;
                }
            }

            path.RemoveAt(path.Count - 1);
            state[node] = 2;
            return null;
        }
    }

    private static string Describe(Dictionary<string, HashSet<string>> graph) =>
        string.Join('\n', graph.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"  {e.Key} -> {string.Join(", ", e.Value.Order(StringComparer.Ordinal))}"));
}
