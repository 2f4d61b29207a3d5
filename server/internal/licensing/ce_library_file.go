package licensing

import (
	"context"

	"github.com/skillgate/skillgate/server/internal/catalog"
)

// LibraryFiles is the CE library's part of a library export
// (catalog.LibraryWriter): content/ce-requirements.yaml as maintained in
// the app when its requirements were edited since the file's import; none
// otherwise (the export then writes the file as imported).
func (s *Service) LibraryFiles(ctx context.Context) ([]catalog.LibraryFile, error) {
	lib, err := s.store.CELibrary(ctx)
	if err != nil || lib == nil || lib.EditedAt == nil {
		return nil, err
	}
	return []catalog.LibraryFile{{Path: "content/" + CEFile, Data: FormatCELibrary(lib)}}, nil
}
