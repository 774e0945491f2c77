using System.Collections.Frozen;
using System.Reflection;
using System.Security.Cryptography;

namespace TaskFlow.Dashboard;

/// <summary>One file of the dashboard, held in memory with its strong ETag.</summary>
internal sealed record DashboardAsset(string Name, string ContentType, byte[] Content, string ETag);

/// <summary>The dashboard's files, embedded in this assembly so the page works offline and needs no static-file
/// middleware in the user's app.</summary>
internal static class DashboardAssets
{
    private const string ResourcePrefix = "TaskFlow.Dashboard.";

    // Only these are served; anything else under /dashboard/assets/ is a 404, so no resource leaks by name.
    private static readonly FrozenDictionary<string, string> ServedTypes = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["app.js"] = "text/javascript; charset=utf-8",
        ["app.css"] = "text/css; charset=utf-8",
        ["favicon.svg"] = "image/svg+xml",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, DashboardAsset> Files =
        ServedTypes.ToFrozenDictionary(p => p.Key, p => Load(p.Key, p.Value), StringComparer.Ordinal);

    /// <summary>index.html with its <c>{{placeholders}}</c>; filled per request.</summary>
    public static string PageTemplate { get; } = System.Text.Encoding.UTF8.GetString(Read("index.html"));

    /// <summary>Changes whenever a served file changes; appended to asset URLs so a new version is fetched at once.</summary>
    public static string Version { get; } = Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(
        string.Concat(Files.Values.OrderBy(f => f.Name, StringComparer.Ordinal).Select(f => f.ETag)))))[..12];

    public static bool TryGet(string file, out DashboardAsset asset) => Files.TryGetValue(file, out asset!);

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
