using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace TaskFlow.Endpoints;

/// <summary>Reads <c>POST /tasks</c> bodies by hand so every fault names its field: a body that is not JSON, a field of
/// the wrong type, a field that does not exist, a body over the size limit.</summary>
internal static partial class EnqueueRequestReader
{
    /// <summary>Bodies larger than this are refused with 413.</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    private static readonly string[] Fields = ["name", "args", "priority", "idempotencyKey", "tags", "delaySeconds", "runAt", "after", "afterPolicy"];

    public sealed record Parsed(string Name, JsonElement Args, EnqueueOptions Options);

    public sealed class BodyException(int status, string field, string message) : Exception(message)
    {
        public int Status { get; } = status;
        public string Field { get; } = field;
    }

    public static async Task<Parsed> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var document = await ReadDocumentAsync(request, cancellationToken);
        return Parse(document.RootElement);
    }

    /// <summary>An enqueue request's fields, each fault naming its field.</summary>
    public static Parsed Parse(JsonElement root)
    {
        {
            if (root.ValueKind != JsonValueKind.Object)
                throw Bad("body", $"the body must be a JSON object with the fields {string.Join(", ", Fields)}.");

            foreach (var property in root.EnumerateObject())
            {
                if (!Fields.Contains(property.Name, StringComparer.OrdinalIgnoreCase))
                    throw Bad(property.Name, $"is not a field of an enqueue request; accepted fields: {string.Join(", ", Fields)}.");
            }

            var name = Get(root, "name") is { } n
                ? n.ValueKind == JsonValueKind.String ? n.GetString()! : throw Bad("name", "must be a string naming a registered task.")
                : throw Bad("name", "is required: the name of a registered task.");
            var args = Get(root, "args") is { ValueKind: not JsonValueKind.Null } a ? a.Clone() : EmptyObject();

            int? priority = null;
            if (Get(root, "priority") is { ValueKind: not JsonValueKind.Null } p)
            {
                if (p.ValueKind != JsonValueKind.Number || !p.TryGetInt32(out var value))
                    throw Bad("priority", $"must be an integer from {int.MinValue} to {int.MaxValue}.");
                priority = value;
            }

            string? key = null;
            if (Get(root, "idempotencyKey") is { ValueKind: not JsonValueKind.Null } k)
                key = k.ValueKind == JsonValueKind.String ? k.GetString() : throw Bad("idempotencyKey", "must be a string.");

            Dictionary<string, string>? tags = null;
            if (Get(root, "tags") is { ValueKind: not JsonValueKind.Null } t)
            {
                if (t.ValueKind != JsonValueKind.Object) throw Bad("tags", "must be an object of string values.");
                tags = [];
                foreach (var tag in t.EnumerateObject())
                {
                    tags[tag.Name] = tag.Value.ValueKind == JsonValueKind.String
                        ? tag.Value.GetString()!
                        : throw Bad($"tags.{tag.Name}", "must be a string.");
                }
            }

            TimeSpan? delay = null;
            if (Get(root, "delaySeconds") is { ValueKind: not JsonValueKind.Null } d)
            {
                if (d.ValueKind != JsonValueKind.Number || !d.TryGetDouble(out var seconds) || !double.IsFinite(seconds) || seconds < 0)
                    throw Bad("delaySeconds", "must be a number of seconds, 0 or more.");
                delay = TimeSpan.FromSeconds(Math.Min(seconds, TimeSpan.MaxValue.TotalSeconds / 2));
            }

            DateTimeOffset? runAt = null;
            if (Get(root, "runAt") is { ValueKind: not JsonValueKind.Null } r)
            {
                // An instant names its offset ('Z' or '+02:00'): a bare local time would depend on the server's zone.
                if (r.ValueKind != JsonValueKind.String || !r.TryGetDateTimeOffset(out var at) || !InstantOffset().IsMatch(r.GetString()!))
                    throw Bad("runAt", "must be an ISO 8601 instant with its offset, e.g. '2026-12-03T17:00:00Z'.");
                runAt = at;
            }

            var (after, afterPolicy) = ReadContinuation(root);
            return new Parsed(name, args, new EnqueueOptions
            {
                Priority = priority, IdempotencyKey = key, Tags = tags, Delay = delay, RunAt = runAt, After = after, AfterPolicy = afterPolicy,
            });
        }
    }

    /// <summary>The <c>after</c> list (task ids) and <c>afterPolicy</c> of a continuation.</summary>
    private static (List<Guid>? After, ContinuationPolicy Policy) ReadContinuation(JsonElement root)
    {
        List<Guid>? after = null;
        if (Get(root, "after") is { ValueKind: not JsonValueKind.Null } list)
        {
            if (list.ValueKind != JsonValueKind.Array) throw Bad("after", "must be an array of task ids.");
            after = [];
            foreach (var item in list.EnumerateArray())
            {
                after.Add(item.ValueKind == JsonValueKind.String && Guid.TryParse(item.GetString(), out var id)
                    ? id
                    : throw Bad($"after[{after.Count}]", "must be a task id (a GUID string)."));
            }
        }

        var policy = ContinuationPolicy.Success;
        if (Get(root, "afterPolicy") is { ValueKind: not JsonValueKind.Null } p)
        {
            policy = p.ValueKind == JsonValueKind.String && p.GetString() is { } text
                ? text.ToLowerInvariant() switch
                {
                    "success" => ContinuationPolicy.Success,
                    "finished" => ContinuationPolicy.Finished,
                    _ => throw Bad("afterPolicy", "must be 'success' or 'finished'."),
                }
                : throw Bad("afterPolicy", "must be 'success' or 'finished'.");
        }
        return (after, policy);
    }

    /// <summary>A JSON body within the size limit (413), sent as JSON (415), that parses (400 naming <c>body</c>).</summary>
    public static Task<JsonDocument> ReadDocumentAsync(HttpRequest request, CancellationToken cancellationToken) =>
        ReadDocumentAsync(request, MaxBodyBytes, cancellationToken);

    /// <summary>The same with a limit of <paramref name="maxBytes"/> (a batch's body may be larger).</summary>
    public static async Task<JsonDocument> ReadDocumentAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (!IsJson(request.ContentType))
            throw new BodyException(StatusCodes.Status415UnsupportedMediaType, "body",
                $"the body must be JSON sent as 'application/json' (was '{request.ContentType ?? "none"}').");
        if (request.ContentLength > maxBytes)
            throw TooLarge(maxBytes);

        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes) throw TooLarge(maxBytes);
            buffer.Write(chunk, 0, read);
        }

        try
        {
            return JsonDocument.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException ex)
        {
            throw new BodyException(StatusCodes.Status400BadRequest, "body",
                $"the body is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}).");
        }
    }

    internal static JsonElement? Get(JsonElement root, string name)
    {
        foreach (var property in root.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase)) return property.Value;
        }
        return null;
    }

    internal static JsonElement EmptyObject()
    {
        using var document = JsonDocument.Parse("{}");
        return document.RootElement.Clone();
    }

    private static bool IsJson(string? contentType) =>
        contentType is not null &&
        (contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) ||
         contentType.Split(';')[0].Trim().EndsWith("+json", StringComparison.OrdinalIgnoreCase));

    internal static BodyException Bad(string field, string message) => new(StatusCodes.Status400BadRequest, field, message);

    [System.Text.RegularExpressions.GeneratedRegex(@"(?:[Zz]|[+-][0-9]{2}:?[0-9]{2})$")]
    private static partial System.Text.RegularExpressions.Regex InstantOffset();

    private static BodyException TooLarge(int maxBytes) =>
        new(StatusCodes.Status413PayloadTooLarge, "body", $"the body is larger than the limit of {maxBytes} bytes.");
}
