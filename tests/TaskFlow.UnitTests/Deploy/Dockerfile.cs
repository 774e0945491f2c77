using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace TaskFlow.UnitTests.Deploy;

/// <summary>One instruction of a Dockerfile, continuation lines joined and comment lines dropped.</summary>
internal sealed record DockerInstruction(string Keyword, string Arguments);

/// <summary>The parts of a Dockerfile the deploy checks read: instructions, the final stage's environment, its
/// health check and entry point.</summary>
internal sealed partial class Dockerfile
{
    private Dockerfile(string path, IReadOnlyList<DockerInstruction> instructions)
    {
        Path = path;
        Instructions = instructions;
    }

    public string Path { get; }

    public IReadOnlyList<DockerInstruction> Instructions { get; }

    /// <summary>The instructions after the last FROM: what the image that runs is made of.</summary>
    public IEnumerable<DockerInstruction> FinalStage => Instructions.Skip(Instructions.ToList().FindLastIndex(i => i.Keyword == "FROM") + 1);

    /// <summary>ENV of the final stage, later instructions winning.</summary>
    public IReadOnlyDictionary<string, string> Environment =>
        FinalStage.Where(i => i.Keyword == "ENV")
            .SelectMany(i => ParseEnv(i.Arguments))
            .GroupBy(kv => kv.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal);

    /// <summary>Every ENV assignment of every stage, in order.</summary>
    public IEnumerable<KeyValuePair<string, string>> EnvAssignments =>
        Instructions.Where(i => i.Keyword == "ENV").SelectMany(i => ParseEnv(i.Arguments));

    /// <summary>The URL the final stage's HEALTHCHECK requests, if it requests one.</summary>
    public Uri? HealthCheckUrl =>
        FinalStage.LastOrDefault(i => i.Keyword == "HEALTHCHECK") is { } check ? FindUrl(check.Arguments) : null;

    /// <summary>The exec-form ENTRYPOINT of the final stage.</summary>
    public IReadOnlyList<string> EntryPoint =>
        FinalStage.LastOrDefault(i => i.Keyword == "ENTRYPOINT") is { } entry
            ? JsonSerializer.Deserialize<string[]>(entry.Arguments) ?? []
            : [];

    public static Dockerfile Load(string path)
    {
        var instructions = new List<DockerInstruction>();
        var pending = new StringBuilder();
        foreach (var raw in File.ReadLines(path))
        {
            var line = raw.Trim();
            // Docker drops comment lines everywhere, inside a continued instruction too.
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var continues = line.EndsWith('\\');
            pending.Append(continues ? line[..^1] : line).Append(' ');
            if (continues) continue;
            var text = pending.ToString().Trim();
            pending.Clear();
            var space = text.IndexOf(' ', StringComparison.Ordinal);
            instructions.Add(space < 0
                ? new DockerInstruction(text.ToUpperInvariant(), "")
                : new DockerInstruction(text[..space].ToUpperInvariant(), text[(space + 1)..].Trim()));
        }
        return new Dockerfile(path, instructions);
    }

    /// <summary>The first http(s) URL in a command line.</summary>
    public static Uri? FindUrl(string command) => HttpUrl().Match(command) is { Success: true } url ? new Uri(url.Value) : null;

    /// <summary>The words of an instruction's arguments, double quotes removed.</summary>
    public static IReadOnlyList<string> Words(string arguments)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var quoted = false;
        var any = false;
        for (var i = 0; i < arguments.Length; i++)
        {
            var c = arguments[i];
            if (c == '\\' && i + 1 < arguments.Length) { word.Append(arguments[++i]); any = true; }
            else if (c == '"') { quoted = !quoted; any = true; }
            else if (char.IsWhiteSpace(c) && !quoted)
            {
                if (any) words.Add(word.ToString());
                word.Clear();
                any = false;
            }
            else { word.Append(c); any = true; }
        }
        if (any) words.Add(word.ToString());
        return words;
    }

    // ENV KEY=VALUE [KEY=VALUE ...], or the old ENV KEY VALUE with the rest of the line as the value.
    private static IEnumerable<KeyValuePair<string, string>> ParseEnv(string arguments)
    {
        var words = Words(arguments);
        if (words.Count > 0 && !words[0].Contains('=', StringComparison.Ordinal))
        {
            yield return new(words[0], string.Join(' ', words.Skip(1)));
            yield break;
        }
        foreach (var pair in words)
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            yield return new(pair[..equals], pair[(equals + 1)..]);
        }
    }

    [GeneratedRegex(@"https?://[^\s""',\]]+")]
    private static partial Regex HttpUrl();
}
