using System.Collections.Frozen;
using System.Net;
using System.Reflection;
using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace TaskFlow.Dashboard;

/// <summary>One file of the dashboard, held in memory with its strong ETag.</summary>
internal sealed record DashboardAsset(string Name, string ContentType, byte[] Content, string ETag);

/// <summary>The dashboard's files, embedded in this assembly so the page works offline and needs no static-file
/// middleware in the user's app.</summary>
internal static partial class DashboardAssets
{
    private const string ResourcePrefix = "TaskFlow.Dashboard.";

    // Served by extension: the scripts (ES modules), the stylesheet and the icon. The HTML files are templates filled
    // per request, never served as they are; anything not embedded is a 404, so no other resource leaks by name.
    private static readonly FrozenDictionary<string, string> ServedTypes = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, DashboardAsset> Files = Assembly.GetExecutingAssembly().GetManifestResourceNames()
        .Where(r => r.StartsWith(ResourcePrefix, StringComparison.Ordinal))
        .Select(r => r[ResourcePrefix.Length..])
        .Where(name => ServedTypes.ContainsKey(Path.GetExtension(name)))
        .ToFrozenDictionary(name => name, name => Load(name, ServedTypes[Path.GetExtension(name)]), StringComparer.Ordinal);

    /// <summary>index.html with its <c>{{placeholders}}</c>; filled per request.</summary>
    public static string PageTemplate { get; } = System.Text.Encoding.UTF8.GetString(Read("index.html"));

    /// <summary>login.html with its <c>{{placeholders}}</c>; filled per request.</summary>
    public static string LoginTemplate { get; } = System.Text.Encoding.UTF8.GetString(Read("login.html"));

    /// <summary>Changes whenever a served file changes; appended to asset URLs so a new version is fetched at once.</summary>
    public static string Version { get; } = Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(
        string.Concat(Files.Values.OrderBy(f => f.Name, StringComparer.Ordinal).Select(f => f.ETag)))))[..12];

    /// <summary>Fills a template's <c>{{name}}</c> placeholders in one pass (so a value that looks like a placeholder
    /// stays text), each value HTML-encoded. A placeholder without a value is a bug in the caller.</summary>
    public static string Fill(string template, IReadOnlyDictionary<string, string?> values) =>
        Placeholder().Replace(template, match => values.TryGetValue(match.Groups[1].Value, out var value)
            ? WebUtility.HtmlEncode(value ?? "")
            : throw new InvalidOperationException($"The dashboard template has no value for {match.Value}."));

    public static bool TryGet(string file, out DashboardAsset asset) => Files.TryGetValue(file, out asset!);

    [GeneratedRegex(@"\{\{(\w+)\}\}")]
    private static partial Regex Placeholder();

    private static DashboardAsset Load(string name, string contentType)
    {
        var content = Read(name);
        var etag = $"\"{Convert.ToHexStringLower(SHA256.HashData(content))[..16]}\"";
        return new DashboardAsset(name, contentType, content, etag);
    }

    private static byte[] Read(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(ResourcePrefix + name)
            ?? throw new InvalidOperationException($"The dashboard asset '{name}' is not embedded in TaskFlow.AspNetCore.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
