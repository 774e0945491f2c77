using System.Globalization;
using System.Text.RegularExpressions;

namespace TaskFlow.Endpoints;

/// <summary>Reads the time arguments of the API: ISO-8601 instants or a span back from now (<c>30m</c>, <c>6h</c>, <c>7d</c>).</summary>
internal static partial class TimeWindow
{
    public const string Accepted = "an ISO-8601 timestamp (2026-11-24T10:30:00Z) or a span back from now such as 90s, 30m, 6h or 7d";

    public static bool TryParse(string? text, DateTimeOffset now, out DateTimeOffset? value)
    {
        value = null;
        if (string.IsNullOrWhiteSpace(text)) return true;
        var match = Relative().Match(text.Trim());
        if (match.Success)
        {
            var amount = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            var span = match.Groups[2].Value switch
            {
                "s" => TimeSpan.FromSeconds(amount),
                "m" => TimeSpan.FromMinutes(amount),
                "h" => TimeSpan.FromHours(amount),
                "d" => TimeSpan.FromDays(amount),
                _ => TimeSpan.FromDays(7 * amount),
            };
            if (span > TimeSpan.FromDays(36_500)) return false;
            value = now - span;
            return true;
        }
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at))
        {
            value = at;
            return true;
        }
        return false;
    }

    [GeneratedRegex("^([0-9]+(?:\\.[0-9]+)?)(s|m|h|d|w)$")]
    private static partial Regex Relative();
}
