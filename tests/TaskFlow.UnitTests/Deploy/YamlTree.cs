using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace TaskFlow.UnitTests.Deploy;

/// <summary>YAML read into plain values: a mapping is a dictionary, a sequence a list, a scalar its text (null for
/// YAML's null). Merge keys (<c>&lt;&lt;: *anchor</c>, compose's fragments) are resolved as Compose resolves them:
/// a mapping's own keys win over merged ones, and earlier merged mappings over later ones.</summary>
internal static class YamlTree
{
    public static IReadOnlyList<IReadOnlyDictionary<string, object?>> LoadDocuments(string path)
    {
        var stream = new YamlStream();
        using (var reader = File.OpenText(path))
            stream.Load(reader);
        return stream.Documents
            .Select(d => d.RootNode)
            .OfType<YamlMappingNode>()
            .Select(ToMap)
            .ToList();
    }

    public static IReadOnlyDictionary<string, object?>? Map(this IReadOnlyDictionary<string, object?>? node, string key) =>
        node is not null && node.TryGetValue(key, out var value) ? value as IReadOnlyDictionary<string, object?> : null;

    public static IReadOnlyList<object?> Seq(this IReadOnlyDictionary<string, object?>? node, string key) =>
        node is not null && node.TryGetValue(key, out var value) && value is IReadOnlyList<object?> items ? items : [];

    public static IEnumerable<IReadOnlyDictionary<string, object?>> Maps(this IReadOnlyDictionary<string, object?>? node, string key) =>
        node.Seq(key).OfType<IReadOnlyDictionary<string, object?>>();

    public static string? Str(this IReadOnlyDictionary<string, object?>? node, string key) =>
        node is not null && node.TryGetValue(key, out var value) ? value as string : null;

    /// <summary>Every mapping in the tree, the node itself included, depth first.</summary>
    public static IEnumerable<IReadOnlyDictionary<string, object?>> Descendants(object? node)
    {
        switch (node)
        {
            case IReadOnlyDictionary<string, object?> map:
                yield return map;
                foreach (var child in map.Values.SelectMany(Descendants)) yield return child;
                break;
            case IReadOnlyList<object?> list:
                foreach (var child in list.SelectMany(Descendants)) yield return child;
                break;
        }
    }

    private static object? ToPlain(YamlNode node) => node switch
    {
        YamlMappingNode map => ToMap(map),
        YamlSequenceNode seq => seq.Children.Select(ToPlain).ToList(),
        YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" or "Null" or "NULL" } => null,
        YamlScalarNode scalar => scalar.Value,
        _ => throw new InvalidOperationException($"Unexpected YAML node {node.NodeType} at {node.Start}."),
    };

    private static Dictionary<string, object?> ToMap(YamlMappingNode node)
    {
        var map = new Dictionary<string, object?>(StringComparer.Ordinal);
        var merged = new List<YamlNode>();
        foreach (var (keyNode, valueNode) in node.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value ?? "";
            if (key == "<<" && ((YamlScalarNode)keyNode).Style == ScalarStyle.Plain)
                merged.AddRange(valueNode is YamlSequenceNode many ? many.Children : [valueNode]);
            else
                map[key] = ToPlain(valueNode);
        }
        foreach (var source in merged)
        {
            foreach (var (key, value) in ToMap((YamlMappingNode)source))
                map.TryAdd(key, value);
        }
        return map;
    }
}
