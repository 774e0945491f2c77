using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using TaskFlow.IntegrationTests.Categories;
using TaskFlow.IntegrationTests.Infrastructure;

namespace TaskFlow.IntegrationTests.Hosts;

/// <summary>With <c>TaskFlow:Storage:EncryptArgs</c>, arguments are stored encrypted and still read back in clear,
/// across a restart with the same key ring.</summary>
[Trait(TestCategory.Name, TestCategory.Process)]
public sealed class ArgsEncryptionTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private Dictionary<string, string> Settings() => new()
    {
        ["TaskFlow__Storage__Provider"] = "Sqlite",
        ["TaskFlow__Storage__ConnectionString"] = _directory.Sqlite(),
        ["TaskFlow__Storage__EncryptArgs"] = "true",
        ["TaskFlow__Storage__KeysPath"] = _directory.File("keys"),
        ["Logging__LogLevel__Default"] = "Warning",
    };

    [Fact]
    public async Task Arguments_are_encrypted_at_rest_and_read_back_in_clear_after_a_restart()
    {
        // Log lines are kept as the handler wrote them; encryption covers the arguments, so the secret goes in an
        // argument the handler never logs.
        const int secret = 987_654;
        Guid id;
        await using (var api = await ApiHost.StartAsync(Settings()))
        {
            id = await api.EnqueueAsync("sleep", new { ms = secret });
            var record = await Eventually.WaitAsync(() => api.Http.GetFromJsonAsync<JsonElement>($"/tasks/{id}"),
                r => r.GetProperty("status").GetString() is "running" or "success", TimeSpan.FromSeconds(30), "the sleep task to start");
            Assert.Equal(secret, record.GetProperty("args").GetProperty("ms").GetInt32());
            await api.Http.PostAsync($"/tasks/{id}/cancel", null);
        }

        var stored = StoredState(id);
        Assert.DoesNotContain(secret.ToString(System.Globalization.CultureInfo.InvariantCulture), stored, StringComparison.Ordinal);
        Assert.Contains("protected:v1:", stored, StringComparison.Ordinal);

        await using (var api = await ApiHost.StartAsync(Settings()))
        {
            var record = await api.Http.GetFromJsonAsync<JsonElement>($"/tasks/{id}");
            Assert.Equal(secret, record.GetProperty("args").GetProperty("ms").GetInt32());
        }
    }

    private string StoredState(Guid id)
    {
        using var connection = new SqliteConnection(_directory.Sqlite() + ";Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT state FROM tasks WHERE task_id = $id";
        command.Parameters.AddWithValue("$id", id.ToString("D"));
        return (string)command.ExecuteScalar()!;
    }
}
