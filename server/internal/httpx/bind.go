package httpx

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"
	"github.com/gin-gonic/gin/binding"
	"github.com/go-playground/validator/v10"

	"github.com/skillgate/skillgate/server/internal/apperr"
)

var registerTagNames sync.Once

// jsonNames makes validation errors name fields as the client spelled them.
func jsonNames() {
	if v, ok := binding.Validator.Engine().(*validator.Validate); ok {
		v.RegisterTagNameFunc(func(f reflect.StructField) string {
			for _, tag := range []string{"json", "form", "uri"} {
				name := strings.Split(f.Tag.Get(tag), ",")[0]
				if name != "" && name != "-" {
					return name
				}
			}
			return f.Name
		})
	}
}

// BindJSON decodes the request body into req, rejecting unknown fields,
// duplicate keys and text PostgreSQL cannot store (see checkJSON), and
// validates it. Every problem comes back as one invalid error naming the
// fields; an oversize body is too_large.
func BindJSON(c *gin.Context, req any) error {
	registerTagNames.Do(jsonNames)
	var raw []byte
	if c.Request.Body != nil {
		var err error
		if raw, err = io.ReadAll(c.Request.Body); err != nil {
			return decodeError(err)
		}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(req); err != nil {
		return decodeError(err)
	}
	if dec.More() {
		return apperr.E(apperr.Invalid, "the body must hold exactly one JSON value")
	}
	if err := checkJSON(raw); err != nil {
		return err
	}
	return validate(req)
}

// BindQuery binds and validates query parameters into req (form tags).
func BindQuery(c *gin.Context, req any) error {
	registerTagNames.Do(jsonNames)
	if err := c.ShouldBindQuery(req); err != nil {
		return validationError(err)
	}
	return nil
}

func validate(req any) error {
	if binding.Validator == nil {
		return nil
	}
	if err := binding.Validator.ValidateStruct(req); err != nil {
		return validationError(err)
	}
	return nil
}

func decodeError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return apperr.E(apperr.TooLarge, "the request body is larger than %d bytes", tooBig.Limit)
	case errors.Is(err, io.EOF):
		return apperr.E(apperr.Invalid, "the request body is empty, expected a JSON object")
	case errors.As(err, &syn):
		return apperr.E(apperr.Invalid, "the request body is not valid JSON at byte %d", syn.Offset)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "body"
		}
		return apperr.Invalidf(field, "must be a %s, not a JSON %s", jsonKind(typ.Type), typ.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return apperr.Invalidf(field, "is not a field of this request")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.E(apperr.Invalid, "the request body ends before the JSON value does")
	}
	return apperr.Wrap(apperr.Invalid, err, "the request body could not be read")
}

func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Map, reflect.Struct:
		return "object"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "whole number"
	case reflect.Float32, reflect.Float64:
		return "number"
	}
	return t.String()
}

func validationError(err error) error {
	var ve validator.ValidationErrors
	if !errors.As(err, &ve) {
		var ae *apperr.Error
		if errors.As(err, &ae) {
			return ae
		}
		return apperr.Wrap(apperr.Invalid, err, "the request could not be read: %v", err)
	}
	fields := apperr.Fields{}
	for _, fe := range ve {
		name := fe.Field()
		if ns := fe.Namespace(); strings.Contains(ns, ".") {
			name = ns[strings.Index(ns, ".")+1:]
		}
		fields.Add(name, "%s", describe(fe))
	}
	return fields.Err()
}

func describe(fe validator.FieldError) string {
	switch fe.Tag() {
	case "required":
		return "is required"
	case "email":
		return "must be an email address"
	case "min":
		if fe.Kind() == reflect.String {
			return fmt.Sprintf("must be at least %s characters", fe.Param())
		}
		return "must be at least " + fe.Param()
	case "max":
		if fe.Kind() == reflect.String {
			return fmt.Sprintf("must be at most %s characters", fe.Param())
		}
		return "must be at most " + fe.Param()
	case "oneof":
		return "must be one of: " + strings.ReplaceAll(fe.Param(), " ", ", ")
	case "uuid", "uuid4":
		return "must be a UUID"
	case "url", "http_url":
		return "must be a URL"
	case "gte":
		return "must be at least " + fe.Param()
	case "lte":
		return "must be at most " + fe.Param()
	case "dive":
		return "has an invalid element"
	}
	return "fails the " + fe.Tag() + " rule"
}
